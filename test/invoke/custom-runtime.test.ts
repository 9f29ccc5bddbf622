import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deployCustom,
  functionLogs,
  invoke,
  NODE_RUNTIME,
  PYTHON_RUNTIME,
  RUBY_RUNTIME,
} from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { forEachSandbox, startTestServer } from '../helpers/server.js';

const FC_HEADERS = [
  'X-Fc-Request-Id',
  'X-Fc-Access-Key-Id',
  'X-Fc-Access-Key-Secret',
  'X-Fc-Security-Token',
  'X-Fc-Function-Name',
  'X-Fc-Function-Handler',
  'X-Fc-Function-Memory',
  'X-Fc-Function-Timeout',
  'X-Fc-Function-Initializer',
  'X-Fc-Initialization-Timeout',
  'X-Fc-Service-Name',
  'X-Fc-Service-Logproject',
  'X-Fc-Service-Logstore',
  'X-Fc-Region',
  'X-Fc-Account-Id',
  'X-Fc-Qualifier',
  'X-Fc-Version-Id',
  'X-Fc-Control-Path',
];

forEachSandbox((sandbox) => {
  test('a Node.js custom runtime gets the event, every X-Fc header in canonical casing, and FC env vars', async (t) => {
    const { fc } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'node', NODE_RUNTIME, {
      memorySize: 256,
      timeout: 7,
      initializer: 'index.init',
      environmentVariables: { GREETING: 'hello' },
    });
    const echo = await invoke(fc, 'svc', 'node', 'ping');
    assert.equal(echo.body, 'echo:ping');
    assert.equal(echo.errorType, undefined);

    const seen = JSON.parse((await invoke(fc, 'svc', 'node', 'headers')).body);
    for (const name of FC_HEADERS)
      assert.ok(name in seen.headers, `${name} missing: ${Object.keys(seen.headers)}`);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/invoke');
    assert.equal(seen.headers['X-Fc-Control-Path'], '/invoke');
    assert.equal(seen.headers['X-Fc-Function-Memory'], '256');
    assert.equal(seen.headers['X-Fc-Function-Timeout'], '7');
    assert.equal(seen.headers['X-Fc-Function-Initializer'], 'index.init');
    assert.equal(seen.headers['X-Fc-Qualifier'], 'LATEST');
    assert.equal(seen.headers['X-Fc-Account-Id'], '1234567890123456');
    assert.equal(seen.headers['Content-Type'], 'application/octet-stream');
    assert.match(seen.headers['X-Fc-Access-Key-Id'], /^STS\./);
    assert.equal(seen.env.GREETING, 'hello');
    assert.equal(seen.env.FC_FUNCTION_NAME, 'node');
    assert.equal(seen.env.FC_SERVICE_NAME, 'svc');
    assert.equal(seen.env.FC_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(seen.env.FC_REGION, 'local');
    assert.equal(seen.env.FC_SERVER_PORT, seen.env.FC_CUSTOM_LISTEN_PORT);
    assert.ok(seen.env.FC_INSTANCE_ID);
    assert.match(seen.env.ALIBABA_CLOUD_ACCESS_KEY_ID, /^STS\./);
    assert.ok(seen.env.FC_FUNC_CODE_PATH);
    assert.equal(seen.env.KUMO_ACCESS_KEY_SECRET, undefined, "Kumo's own environment must not leak in");
  });

  test('Python and Ruby custom runtimes; Ruby closes the connection after each response', async (t) => {
    const { fc } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'py', PYTHON_RUNTIME);
    await deployCustom(fc, 'svc', 'rb', RUBY_RUNTIME);
    const py = await invoke(fc, 'svc', 'py', 'from python');
    const pyBody = JSON.parse(py.body);
    assert.equal(pyBody.runtime, 'python');
    assert.equal(pyBody.event, 'from python');
    assert.equal(pyBody.requestId, py.headers['x-fc-request-id']);
    for (let i = 0; i < 3; i++) {
      const rb = await invoke(fc, 'svc', 'rb', `call ${i}`);
      assert.equal(rb.body, `ruby:${rb.headers['x-fc-request-id']}:/invoke:call ${i}`);
      assert.match(rb.logs, /ruby handled/);
    }
  });

  test('calls beyond instanceConcurrency start more instances; with bwrap they all listen on 9000', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'py', PYTHON_RUNTIME);
    await deployCustom(fc, 'svc', 'node', NODE_RUNTIME);
    const results = await Promise.all([1, 2].map(() => invoke(fc, 'svc', 'node', 'sleep:500')));
    const instances = new Set(results.map((r) => r.headers['x-fc-instance-id']));
    assert.equal(instances.size, 2, 'two concurrent calls with concurrency 1 need two instances');
    if (server.sandbox.kind === 'bwrap') {
      const [a, b] = await Promise.all([
        invoke(fc, 'svc', 'node', 'stats'),
        invoke(fc, 'svc', 'node', 'stats'),
      ]);
      assert.equal(JSON.parse(a.body).port, 9000);
      assert.equal(JSON.parse(b.body).port, 9000);
      assert.equal(JSON.parse((await invoke(fc, 'svc', 'py', 'x')).body).port, '9000');
    }
  });

  test('the initializer runs once per instance, even under concurrency, and a failed one is retried', async (t) => {
    const { fc, client } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'init', NODE_RUNTIME, {
      initializer: 'index.init',
      instanceConcurrency: 5,
      environmentVariables: { INIT_SLEEP_MS: '300' },
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => invoke(fc, 'svc', 'init', 'stats')));
    const stats = results.map((r) => JSON.parse(r.body));
    assert.equal(new Set(results.map((r) => r.headers['x-fc-instance-id'])).size, 1);
    assert.deepEqual(
      stats.map((s) => s.initCount),
      [1, 1, 1, 1, 1],
    );
    assert.ok(
      results.every((r) => r.headers['x-fc-log-result'] === undefined),
      'FC tails no log on an instance that serves several calls at once',
    );
    const initLogs = await until(
      async () => {
        const lines = await functionLogs(client, 'svc', 'init', { text: 'FC Initialize Start RequestId' });
        return lines.length > 0 ? lines : undefined;
      },
      { what: 'the Initialize frame is stored' },
    );
    assert.equal(initLogs.length, 1, 'exactly one call carries the Initialize frame');

    await deployCustom(fc, 'svc', 'flaky', NODE_RUNTIME, {
      initializer: 'index.init',
      environmentVariables: { INIT_FAIL_ONCE: '1' },
    });
    const failed = await invoke(fc, 'svc', 'flaky', 'stats');
    assert.equal(failed.errorType, 'UnhandledInvocationError');
    assert.match(failed.body, /init failed once/);
    assert.match(failed.logs, /FC Initialize End RequestId: .*, Error: Unhandled function error/);
    const retried = await invoke(fc, 'svc', 'flaky', 'stats');
    assert.equal(retried.errorType, undefined, retried.body);
    assert.equal(JSON.parse(retried.body).initCount, 2);
  });

  test('function errors: x-fc-status 404, timeout kills the instance, a crash mid-call', async (t) => {
    const { fc } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME, { timeout: 1 });

    const failed = await invoke(fc, 'svc', 'fn', 'fail');
    assert.equal(failed.errorType, 'UnhandledInvocationError');
    assert.deepEqual(JSON.parse(failed.body), { errorMessage: 'it failed', errorType: 'Boom' });
    assert.match(failed.logs, /FC Invoke End RequestId: \S+, Error: Unhandled function error/);

    const before = await invoke(fc, 'svc', 'fn', 'stats');
    const timedOut = await invoke(fc, 'svc', 'fn', 'sleep:5000');
    assert.equal(timedOut.errorType, 'UnhandledInvocationError');
    assert.match(
      JSON.parse(timedOut.body).errorMessage,
      /^Function timed out after 1 seconds \(maxMemoryUsage: [\d.]+MB\)$/,
    );
    const after = await invoke(fc, 'svc', 'fn', 'stats');
    assert.notEqual(
      after.headers['x-fc-instance-id'],
      before.headers['x-fc-instance-id'],
      'timed-out instance is replaced',
    );

    const crashed = await invoke(fc, 'svc', 'fn', 'crash');
    assert.equal(crashed.errorType, 'UnhandledInvocationError');
    assert.match(
      JSON.parse(crashed.body).errorMessage,
      /^Process exited unexpectedly before completing request \(duration: \d+ms, maxMemoryUsage: [\d.]+MB\)/,
    );
    assert.match(crashed.logs, /about to crash/);
    assert.equal((await invoke(fc, 'svc', 'fn', 'again')).body, 'echo:again');
  });

  test('Tail logs: Start/End frames, the function output, the billing line and response headers', async (t) => {
    const { fc, client } = await startTestServer(t, { sandbox, billingGranularityMs: 100 });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME, { memorySize: 512 });
    const result = await invoke(fc, 'svc', 'fn', 'print:3');
    const rid = result.headers['x-fc-request-id'];
    const lines = result.logs.trimEnd().split('\n');
    assert.equal(lines[0], `FC Invoke Start RequestId: ${rid}`);
    assert.ok(lines.includes(`line 2 of ${rid}`), result.logs);
    assert.equal(lines.at(-2), `FC Invoke End RequestId: ${rid}`);
    assert.match(
      lines.at(-1) ?? '',
      /^Duration: \d+\.\d\d ms, Billed Duration: \d*00 ms, Memory Size: 512 MB, Max Memory Used: \d+\.\d\d MB$/,
    );
    assert.match(result.headers['x-fc-invocation-duration'] ?? '', /^\d+$/);
    assert.match(result.headers['x-fc-max-memory-usage'] ?? '', /^\d+\.\d\d$/);
    assert.match(result.headers['x-fc-code-checksum'] ?? '', /^\d+$/);

    const stored = await client.json<{ logs: { requestId: string; message: string }[] }>(
      'GET',
      `/services/svc/functions/fn/logs?requestId=${rid}`,
    );
    assert.deepEqual(
      stored.logs.map((l) => l.message),
      lines,
    );
    const byText = await client.json<{ logs: { message: string }[] }>(
      'GET',
      '/services/svc/functions/fn/logs?text=line%201%20of',
    );
    assert.equal(byText.logs.length, 1);
  });

  test('bad calls: payload over 6 MB, unknown qualifier, missing function, a server that never starts', async (t) => {
    const { fc, client } = await startTestServer(t, { sandbox, instanceStartTimeoutMs: 1500 });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
    const big = await client.send(
      'POST',
      '/services/svc/functions/fn/invocations',
      Buffer.alloc(6 * 1024 * 1024 + 1),
    );
    assert.equal(big.status, 400);
    assert.equal(JSON.parse(big.body.toString()).ErrorCode, 'EntityTooLarge');
    const qualified = await client.send('POST', '/services/svc.prod/functions/fn/invocations', 'x');
    assert.equal(qualified.status, 404);
    const missing = await client.send('POST', '/services/svc/functions/nope/invocations', 'x');
    assert.equal(JSON.parse(missing.body.toString()).ErrorCode, 'FunctionNotFound');

    await deployCustom(fc, 'svc', 'exits', {
      bootstrap: '#!/bin/sh\necho "cannot start: missing config" >&2\nexit 7\n',
    });
    const exited = await client.send('POST', '/services/svc/functions/exits/invocations', 'x');
    const exitError = JSON.parse(exited.body.toString());
    assert.equal(exitError.ErrorCode, 'CAExited');
    assert.match(exitError.ErrorMessage, /code 7/);
    assert.match(exitError.ErrorMessage, /cannot start: missing config/);

    await deployCustom(fc, 'svc', 'silent', { bootstrap: '#!/bin/sh\nexec sleep 60\n' });
    const silent = await client.send('POST', '/services/svc/functions/silent/invocations', 'x');
    assert.equal(JSON.parse(silent.body.toString()).ErrorCode, 'FunctionNotStarted');

    await deployCustom(fc, 'svc', 'nobootstrap', { 'index.js': 'no bootstrap here' });
    const none = await client.send('POST', '/services/svc/functions/nobootstrap/invocations', 'x');
    assert.match(JSON.parse(none.body.toString()).ErrorMessage, /bootstrap/);
  });

  test('over the instance limit with a full queue, a call gets 429 ResourceExhausted', async (t) => {
    const { fc, client } = await startTestServer(t, {
      sandbox,
      maxInstancesPerFunction: 1,
      maxQueuedCalls: 0,
    });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
    const slow = client.send('POST', '/services/svc/functions/fn/invocations', 'sleep:1000');
    await until(
      async () => (await functionLogs(client, 'svc', 'fn', { text: 'event sleep:1000' })).length > 0,
      { what: 'the slow call runs in the only instance' },
    );
    const rejected = await client.send('POST', '/services/svc/functions/fn/invocations', 'x');
    assert.equal(rejected.status, 429);
    assert.equal(JSON.parse(rejected.body.toString()).ErrorCode, 'ResourceExhausted');
    assert.equal((await slow).body.toString(), 'slept 1000');
  });

  test('a burst of cold starts never exceeds maxInstancesPerFunction; the rest wait for a slot', async (t) => {
    const { fc, client, server } = await startTestServer(t, { sandbox, maxInstancesPerFunction: 2 });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
    const calls = Array.from({ length: 6 }, () =>
      client.send('POST', '/services/svc/functions/fn/invocations', 'sleep:300'),
    );
    // Sampled all through the burst, not at one guessed moment.
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, server.instanceCount());
    }, 5);
    const results = await Promise.all(calls).finally(() => clearInterval(sampler));
    assert.ok(most <= 2, `at most 2 instances, saw ${most}`);
    assert.deepEqual(
      results.map((r) => r.body.toString()),
      Array(6).fill('slept 300'),
    );
    assert.ok(new Set(results.map((r) => r.headers['x-fc-instance-id'])).size <= 2);
  });
});
