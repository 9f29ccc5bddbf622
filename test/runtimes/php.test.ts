// The built-in PHP runtime beyond the shared conformance table: FC's RingCentral response through an HTTP trigger,
// state kept between calls, what a fatal error or exit() does to the instance, FC's warning-to-exception handler,
// the logger's levels and error_log capture, serialised calls under instanceConcurrency, and the examples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createRuntimeRegistry } from '../../src/runtimes/index.js';
import { runKumo } from '../helpers/cli.js';
import { zipFiles } from '../helpers/code.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CODE = {
  'index.php': `<?php
use RingCentral\\Psr7\\Response;

$calls = 0;

function web($request, $context): Response
{
    return new Response(200, ['Content-Type' => 'text/plain'], 'hi');
}

function count_calls($event, $context)
{
    global $calls;
    $calls++;
    return $calls;
}

function fatal($event, $context)
{
    $hog = [];
    while (true) $hog[] = str_repeat('x', 1 << 20);
}

function bye($event, $context)
{
    echo "leaving\\n";
    exit(3);
}

function warn($event, $context)
{
    $logger = $GLOBALS['fcLogger'];
    $logger->setLevel(500);
    $logger->info('hidden info');
    $logger->critical('shown critical');
    error_log('to the error log');
    $empty = [];
    return $empty['missing'];
}

function flood($event, $context)
{
    for ($i = 0; $i < 2000; $i++) echo str_repeat('z', 4096);
    return 'still here';
}

function forever($event, $context)
{
    while (true) usleep(10000);
}
`,
};

async function setUp(t: import('node:test').TestContext): Promise<TestServer> {
  const kumo = await startTestServer(t);
  await kumo.fc.createService('php');
  return kumo;
}

async function deploy(kumo: TestServer, name: string, handler: string, extra: Record<string, unknown> = {}) {
  await kumo.fc.createFunction('php', {
    functionName: name,
    runtime: 'php7.2',
    handler,
    memorySize: 128,
    timeout: 10,
    code: { zipFile: await zipFiles(CODE) },
    ...extra,
  });
}

async function invoke(kumo: TestServer, name: string, event = '') {
  const response = await kumo.client.send('POST', `/services/php/functions/${name}/invocations`, event, {
    'x-fc-log-type': 'Tail',
  });
  return {
    ...response,
    text: response.body.toString(),
    logs: Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString(),
  };
}

test("php7.2: FC's `new RingCentral\\Psr7\\Response(200, ['Content-Type' => 'text/plain'], 'hi')` through an HTTP trigger", async (t) => {
  const kumo = await setUp(t);
  await deploy(kumo, 'web', 'index.web');
  await kumo.fc.post('/services/php/functions/web/triggers', {
    triggerName: 'http',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET'] },
  });
  const response = await request(`${kumo.server.url}/2016-08-15/proxy/php/web/`);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/plain');
  assert.equal(await response.body.text(), 'hi');
});

test('php7.2: the instance keeps its state; a fatal error or exit() ends it and the next call cold-starts', async (t) => {
  const kumo = await setUp(t);
  await deploy(kumo, 'state', 'index.count_calls');
  await deploy(kumo, 'fatal', 'index.fatal');
  await deploy(kumo, 'bye', 'index.bye');
  const first = await invoke(kumo, 'state');
  assert.equal(first.text, '1');
  assert.equal((await invoke(kumo, 'state')).text, '2', 'top-level variables are globals that live on');

  const fatal = await invoke(kumo, 'fatal');
  assert.equal(fatal.headers['x-fc-error-type'], 'UnhandledInvocationError');
  assert.match(fatal.text, /Process exited unexpectedly before completing request/);
  assert.match(fatal.logs, /"errorMessage":"Allowed memory size of \d+ bytes exhausted/);
  assert.match(fatal.logs, /"errorType":"E_ERROR"/);
  const again = await invoke(kumo, 'fatal');
  assert.notEqual(again.headers['x-fc-instance-id'], fatal.headers['x-fc-instance-id'], 'a new instance');

  const bye = await invoke(kumo, 'bye');
  assert.equal(bye.headers['x-fc-error-type'], 'UnhandledInvocationError');
  assert.match(bye.text, /Process exited unexpectedly/);
  assert.match(bye.logs, /\[INFO\] leaving/);
  assert.match(bye.logs, /exit\(\) was called during the call/);
});

test('php7.2: warnings throw ErrorException as on FC; logger levels; error_log lines belong to the call', async (t) => {
  const kumo = await setUp(t);
  await deploy(kumo, 'warn', 'index.warn');
  const result = await invoke(kumo, 'warn');
  const rid = result.headers['x-fc-request-id'];
  assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
  const error = JSON.parse(result.text) as {
    errorMessage: string;
    errorType: string;
    stackTrace: { file: string; line: number; traceString: string };
  };
  assert.equal(error.errorType, 'ErrorException');
  assert.equal(error.errorMessage, 'Undefined array key "missing"');
  assert.equal(error.stackTrace.file, '/code/index.php');
  assert.equal(error.stackTrace.line, 38);
  assert.match(result.logs, new RegExp(`Z ${rid} \\[CRITICAL\\] shown critical$`, 'm'));
  assert.doesNotMatch(result.logs, /hidden info/);
  assert.match(result.logs, new RegExp(`Z ${rid} \\[ERROR\\] to the error log$`, 'm'));
});

test('php7.2: calls wait their turn in the instance, and the per-call timeout still holds while they wait', async (t) => {
  const kumo = await setUp(t);
  await deploy(kumo, 'busy', 'index.forever', { timeout: 1, instanceConcurrency: 2 });
  const [first, second] = await Promise.all([invoke(kumo, 'busy'), invoke(kumo, 'busy')]);
  assert.equal(
    first.headers['x-fc-instance-id'],
    second.headers['x-fc-instance-id'],
    'one instance took both',
  );
  for (const result of [first, second]) {
    assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
    assert.match(result.text, /Function timed out after 1 seconds|Process exited unexpectedly/);
  }
});

test('php7.2: 8 MB of output without a newline is cut into bounded lines and the call still answers', async (t) => {
  const kumo = await setUp(t);
  await deploy(kumo, 'flood', 'index.flood');
  const result = await invoke(kumo, 'flood');
  assert.equal(result.headers['x-fc-error-type'], undefined, result.text);
  assert.equal(result.text, 'still here');
  assert.equal((await invoke(kumo, 'flood')).text, 'still here', 'the same instance goes on');
});

test('php7.2 is served on the machine PHP and says so', () => {
  const php = createRuntimeRegistry().resolve('php7.2');
  assert.match(php.substitution?.('php7.2') ?? '', /^php7\.2 runs on PHP 8\.\d+\.\d+: /);
});

test('examples/php-event and examples/php-http deploy with kumo deploy and answer', async (t) => {
  const { server } = await startTestServer(t);
  const endpoint = server.url;
  for (const example of ['php-event', 'php-http']) {
    const deployed = await runKumo(['deploy', '-t', `examples/${example}/template.yml`], {
      endpoint,
      cwd: ROOT,
    });
    assert.equal(deployed.code, 0, `${deployed.stdout}${deployed.stderr}`);
  }
  const invoked = await runKumo(['invoke', 'php-event/php-event', '-e', 'Kumo'], { endpoint, cwd: ROOT });
  assert.equal(invoked.code, 0, invoked.stderr);
  assert.match(invoked.stdout, /FC Invoke Result:\n\{"message":"Howdy, Kumo!","runtime":"php"/);
  assert.match(invoked.stdout, /\[INFO\] php-event initialized/);
  const page = await request(`${endpoint}/2016-08-15/proxy/php-http/php-http/hello?x=1`, {
    method: 'POST',
    body: 'b',
  });
  assert.equal(page.statusCode, 200);
  const seen = (await page.body.json()) as { path: string; queries: unknown; body: string; method: string };
  assert.deepEqual([seen.method, seen.path, seen.queries, seen.body], ['POST', '/hello', { x: '1' }, 'b']);
});
