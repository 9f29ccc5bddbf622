import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { goFixtureZip } from '../helpers/go.js';
import { forEachSandbox, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * go1 end to end: the Go fixture (test/fixtures/runtimes/go, built with the unchanged fc-runtime-go-sdk v0.3.1)
 * and hostile programs behind the runtime API bridge, deployed and invoked with the official @alicloud/fc2 SDK.
 * The shared cases (HTTP functions, concurrency, timeouts …) are in conformance-table.ts.
 */
const FIXTURE = new URL('../fixtures/runtimes/go', import.meta.url).pathname;
const script = (name: string) =>
  readFileSync(new URL(`../fixtures/runtime-api/${name}`, import.meta.url), 'utf8');

async function deployGo(
  kumo: TestServer,
  functionName: string,
  handler: string,
  extra: Record<string, unknown> = {},
  zipFile?: string,
): Promise<void> {
  await kumo.fc.createService('go').catch((error: Error & { code?: string }) => {
    if (error.code !== 'ServiceAlreadyExists') throw error;
  });
  await kumo.fc.createFunction('go', {
    functionName,
    runtime: 'go1',
    handler,
    memorySize: 128,
    timeout: 7,
    code: { zipFile: zipFile ?? (await goFixtureZip(FIXTURE)) },
    ...extra,
  });
}

const countOf = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

test('struct in, struct out as JSON; the context deadline is the function timeout', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'greet', 'index.struct');
  const result = await invoke(kumo.fc, 'go', 'greet', JSON.stringify({ name: 'Kumo', age: 20 }));
  assert.equal(result.errorType, undefined, result.body);
  assert.deepEqual(JSON.parse(result.body), { message: 'Hello, Kumo!', adult: true });

  await deployGo(kumo, 'deadline', 'index.deadline');
  const left = Number((await invoke(kumo.fc, 'go', 'deadline', '')).body);
  assert.ok(left > 4000 && left <= 7000, `${left} ms left of a 7 s timeout`);
});

test('the initializer runs once per instance; logger lines carry the request id; frames show once', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'log', 'index.log', { initializer: 'main.initialize' });
  const first = await invoke(kumo.fc, 'go', 'log', '');
  const rid = first.headers['x-fc-request-id'] ?? '';
  assert.equal(JSON.parse(first.body), 'logged');
  assert.match(first.logs, new RegExp(`^\\S+Z ${rid} \\[INFO\\] index\\.go:\\d+: initialized 1$`, 'm'));
  assert.match(first.logs, new RegExp(`^\\S+Z ${rid} \\[INFO\\] index\\.go:\\d+: hello from logger$`, 'm'));
  assert.match(first.logs, /^hello from print$/m);
  // The SDK prints FC's frames too; Kumo frames every call itself, so each shows once.
  assert.equal(countOf(first.logs, `FC Initialize Start RequestId: ${rid}`), 1, first.logs);
  assert.equal(countOf(first.logs, `FC Invoke Start RequestId: ${rid}`), 1, first.logs);
  assert.equal(countOf(first.logs, `FC Invoke End RequestId: ${rid}`), 1, first.logs);

  const second = await invoke(kumo.fc, 'go', 'log', '');
  assert.equal(second.headers['x-fc-instance-id'], first.headers['x-fc-instance-id']);
  assert.doesNotMatch(second.logs, /FC Initialize Start|initialized/);
});

test('an error return is FC error JSON; a panic adds its stack and the instance serves on', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'fail', 'index.fail');
  const failed = await invoke(kumo.fc, 'go', 'fail', '');
  assert.equal(failed.errorType, 'UnhandledInvocationError');
  assert.deepEqual(JSON.parse(failed.body), { errorMessage: 'fail oops', errorType: 'errorString' });
  assert.match(failed.logs, /FC Invoke End RequestId: \S+, Error: Unhandled function error/);

  await deployGo(kumo, 'panic', 'index.unhandled');
  const panicked = await invoke(kumo.fc, 'go', 'panic', '');
  assert.equal(panicked.errorType, 'UnhandledInvocationError');
  const error = JSON.parse(panicked.body) as {
    errorMessage: string;
    errorType: string;
    stackTrace: { path: string; line: number; label: string }[];
  };
  assert.equal(error.errorMessage, 'unhandled oops');
  assert.equal(error.errorType, 'string');
  const frame = error.stackTrace.find((f) => f.label === 'panics');
  assert.ok(frame && /index\.go$/.test(frame.path) && frame.line > 0, JSON.stringify(error.stackTrace));
  // fc-runtime-go-sdk v0.3.1 recovers the panic and keeps polling: the same instance takes the next call.
  const again = await invoke(kumo.fc, 'go', 'panic', '');
  assert.equal(again.headers['x-fc-instance-id'], panicked.headers['x-fc-instance-id']);
});

test('a program that dies mid-call: FC error for the call, a new instance for the next', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'exit', 'index.exit');
  const died = await invoke(kumo.fc, 'go', 'exit', '');
  assert.equal(died.errorType, 'UnhandledInvocationError');
  assert.match(JSON.parse(died.body).errorMessage, /^Process exited unexpectedly before completing request/);
  assert.match(died.logs, /exiting now/);
  const next = await invoke(kumo.fc, 'go', 'exit', '');
  assert.notEqual(next.headers['x-fc-instance-id'], died.headers['x-fc-instance-id']);
});

test('a missing or non-executable handler fails the start with CAExited naming the file', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'missing', 'nothere');
  const missing = await kumo.client.send('POST', '/services/go/functions/missing/invocations', '');
  assert.equal(missing.status, 502);
  const body = JSON.parse(missing.body.toString()) as { ErrorCode: string; ErrorMessage: string };
  assert.equal(body.ErrorCode, 'CAExited');
  assert.match(body.ErrorMessage, /nothere does not exist/);

  const plain = await zipFiles({ main: 'not a program' });
  await deployGo(kumo, 'plain', 'main', {}, plain);
  const notExecutable = await kumo.client.send('POST', '/services/go/functions/plain/invocations', '');
  assert.equal(notExecutable.status, 502);
  assert.match(notExecutable.body.toString(), /main is not executable: chmod \+x/);
});

test('go1 handlers name an executable inside the code', async (t) => {
  const kumo = await startTestServer(t);
  for (const handler of ['../bin/sh', '/bin/sh', 'a/../../x']) {
    await assert.rejects(
      deployGo(kumo, 'bad', handler, {}, await zipFiles({ x: 'x' })),
      /must name the executable/,
    );
  }
});

forEachSandbox((sandbox) => {
  test('the runtime API is the instance’s own: a secret path, and only the current request id', async (t) => {
    const kumo = await startTestServer(t, { sandbox });
    await deployGo(kumo, 'probe', 'probe.py', {}, await zipFiles({ 'probe.py': script('probe.py') }));
    const result = await invoke(kumo.fc, 'go', 'probe', 'ping');
    assert.equal(result.errorType, undefined, result.body);
    const seen = JSON.parse(result.body) as Record<string, unknown>;
    assert.equal(seen.secretInAddress, true);
    assert.equal(seen.withoutSecret, 404, 'the API without the secret path');
    assert.equal(seen.wrongId, 400, 'a response for a request that is not in progress');
    assert.equal(seen.functionType, '0');
    assert.equal(seen.event, 'ping');
    assert.match(String(seen.accessKeyId), /^STS\./);
    const deadline = Number(seen.deadline);
    assert.ok(
      deadline > Date.now() && deadline <= Date.now() + 7000,
      `deadline ${deadline}: within the 7 s timeout`,
    );
  });
});

test('a program that reports an init error: calls get its error', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(
    kumo,
    'initerr',
    'init-error.py',
    {},
    await zipFiles({ 'init-error.py': script('init-error.py') }),
  );
  for (let i = 0; i < 2; i++) {
    const result = await invoke(kumo.fc, 'go', 'initerr', '');
    assert.equal(result.errorType, 'UnhandledInvocationError');
    assert.deepEqual(JSON.parse(result.body), {
      errorMessage: 'cannot read config.json',
      errorType: 'Runtime.InitError',
    });
  }
});

test('a program that never asks for work never becomes ready: FunctionNotStarted', async (t) => {
  const kumo = await startTestServer(t, { instanceStartTimeoutMs: 1500 });
  await deployGo(
    kumo,
    'idle',
    'never-polls.py',
    {},
    await zipFiles({ 'never-polls.py': script('never-polls.py') }),
  );
  const result = await kumo.client.send('POST', '/services/go/functions/idle/invocations', '');
  assert.equal(JSON.parse(result.body.toString()).ErrorCode, 'FunctionNotStarted');
});

test('a panicking initializer fails the call with its panic; its frames show once; the next call retries', async (t) => {
  const kumo = await startTestServer(t);
  await deployGo(kumo, 'initfail', 'index.echo', { initializer: 'index.initfail' });
  const failed = await invoke(kumo.fc, 'go', 'initfail', 'x');
  const rid = failed.headers['x-fc-request-id'] ?? '';
  assert.equal(failed.errorType, 'UnhandledInvocationError');
  const error = JSON.parse(failed.body) as { errorMessage: string; stackTrace: { label: string }[] };
  assert.equal(error.errorMessage, 'init oops');
  assert.ok(
    error.stackTrace.some((frame) => frame.label === 'initfail'),
    failed.body,
  );
  // The SDK prints its own Initialize frames; Kumo's show once, End marked as FC marks an unhandled error.
  assert.equal(countOf(failed.logs, `FC Initialize Start RequestId: ${rid}`), 1, failed.logs);
  assert.equal(
    countOf(failed.logs, `FC Initialize End RequestId: ${rid}, Error: Unhandled function error`),
    1,
    failed.logs,
  );
  assert.doesNotMatch(failed.logs, /FC Invoke Start/, 'the handler never ran');

  const next = await invoke(kumo.fc, 'go', 'initfail', 'x');
  assert.equal(next.errorType, 'UnhandledInvocationError');
  assert.match(next.logs, new RegExp(`FC Initialize Start RequestId: ${next.headers['x-fc-request-id']}`));
});
