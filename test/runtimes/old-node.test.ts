import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * FC's two oldest runtimes, nodejs4.4 and nodejs6, through the official @alicloud/fc2 SDK: each runs on a real
 * Node.js of its major (from the runtimes cache), with FC's programming model of that time (callback handlers,
 * `(request, response, context)` HTTP functions, `(context, callback)` initializers).
 */
const FIXTURES = new URL('../fixtures/runtimes/nodejs-legacy/', import.meta.url);
const code = () =>
  zipFiles({
    'index.js': readFileSync(new URL('index.js', FIXTURES), 'utf8'),
    'http.js': readFileSync(new URL('http.js', FIXTURES), 'utf8'),
  });

/** Start and End frame a call's Tail log, as FC writes them (after the initializer's own, on a cold start). */
function assertFramed(logs: string, requestId: string | undefined, end = ''): string[] {
  const lines = logs.trimEnd().split('\n');
  const start = lines.indexOf(`FC Invoke Start RequestId: ${requestId}`);
  assert.ok(start >= 0, logs);
  assert.equal(lines.at(-2), `FC Invoke End RequestId: ${requestId}${end}`, logs);
  assert.match(lines.at(-1) ?? '', /^Duration: [\d.]+ ms, Billed Duration: \d+ ms, Memory Size: 128 MB/);
  return lines.slice(0, start);
}

async function deploy(kumo: TestServer, service: string, runtime: string): Promise<void> {
  await kumo.fc.createService(service);
  const zipFile = await code();
  const common = { runtime, memorySize: 128, timeout: 10, code: { zipFile } };
  await kumo.fc.createFunction(service, {
    ...common,
    functionName: 'version',
    handler: 'index.version',
    initializer: 'index.initializer',
  });
  await kumo.fc.createFunction(service, { ...common, functionName: 'handled', handler: 'index.handled' });
  await kumo.fc.createFunction(service, { ...common, functionName: 'web', handler: 'http.handler' });
  await kumo.fc.createTrigger(service, 'web', {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
  });
}

for (const [runtime, major] of [
  ['nodejs6', 'v6.'],
  ['nodejs4.4', 'v4.'],
] as const) {
  test(`${runtime}: created with fc2, runs on Node.js ${major}x: event, initializer, handled error, HTTP trigger`, async (t) => {
    const kumo = await startTestServer(t);
    const service = runtime.replace('.', '-');
    await deploy(kumo, service, runtime);
    assert.equal((await kumo.fc.getFunction(service, 'version')).data.runtime, runtime);

    // An event handler answering through callback(); the initializer ran first, on the same Node.js.
    const first = await invoke(kumo.fc, service, 'version', '');
    assert.equal(first.errorType, undefined, first.body);
    const seen = JSON.parse(first.body) as { version: string; usrLocal: string };
    assert.ok(seen.version.startsWith(major), `${runtime} runs ${seen.version}`);
    if (kumo.server.sandbox.kind === 'bwrap') assert.equal(seen.usrLocal, seen.version);
    const rid = first.headers['x-fc-request-id'];
    const initializing = assertFramed(first.logs, rid);
    assert.equal(initializing[0], `FC Initialize Start RequestId: ${rid}`, first.logs);
    assert.match(initializing.at(-1) ?? '', new RegExp(`^FC Initialize End RequestId: ${rid}`), first.logs);
    const warm = await invoke(kumo.fc, service, 'version', '');
    assert.deepEqual(
      assertFramed(warm.logs, warm.headers['x-fc-request-id']),
      [],
      'no initializer when warm',
    );

    // callback(err): FC's handled error shape, and the End frame says so.
    const handled = await invoke(kumo.fc, service, 'handled', '');
    assert.equal(handled.errorType, 'HandledInvocationError');
    const error = JSON.parse(handled.body) as {
      errorMessage: string;
      errorType: string;
      stackTrace: string[];
    };
    assert.equal(error.errorMessage, 'handled oops');
    assert.equal(error.errorType, 'Error');
    assert.ok(
      error.stackTrace.some((line) => line.includes('/code/index.js')),
      handled.body,
    );
    assertFramed(handled.logs, handled.headers['x-fc-request-id'], ', Error: Handled function error');

    // An HTTP function `(request, response, context)` behind an anonymous HTTP trigger.
    const response = await request(`${kumo.server.url}/2016-08-15/proxy/${service}/web/a/b?x=1&x=2`, {
      method: 'POST',
      body: 'hello',
    });
    assert.equal(response.statusCode, 200);
    const web = (await response.body.json()) as {
      version: string;
      path: string;
      queries: Record<string, unknown>;
      body: string;
    };
    assert.ok(web.version.startsWith(major), `the HTTP function runs ${web.version}`);
    assert.equal(web.path, '/a/b');
    assert.deepEqual(web.queries.x, ['1', '2']);
    assert.equal(Buffer.from(web.body, 'base64').toString(), 'hello');

    // Node.js 4 and 6 have no async functions: such a handler does not load, as on FC.
    await kumo.fc.createFunction(service, {
      functionName: 'modern',
      runtime,
      handler: 'index.handler',
      code: { zipFile: await zipFiles({ 'index.js': 'exports.handler = async () => 1;\n' }) },
    });
    const modern = await invoke(kumo.fc, service, 'modern', '');
    assert.equal(modern.errorType, 'UnhandledInvocationError');
    const loadError = JSON.parse(modern.body) as { errorType: string; errorMessage: string };
    assert.equal(loadError.errorType, 'FunctionUnhandledError: UserCodeSyntaxError', modern.body);
    assert.match(loadError.errorMessage, /\/code\/index\.js:1/);
  });
}
