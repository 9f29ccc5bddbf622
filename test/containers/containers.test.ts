import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type FC from '@alicloud/fc2';
import { request } from 'undici';
import type { FcClient } from '../../src/cli/client.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import {
  buildImage,
  containerTestsUnavailable,
  forwardOffLoopback,
  pushImage,
  TestRegistry,
} from './helpers.js';

const unavailable = containerTestsUnavailable();
const REPO = 'test/app';

interface FunctionView {
  customContainerConfig?: { image?: string; accelerationInfo?: { status: string; message?: string } };
}

async function createContainerFunction(
  fc: FC,
  name: string,
  image: string,
  options: Record<string, unknown> = {},
): Promise<void> {
  await fc.createFunction('ctr', {
    functionName: name,
    runtime: 'custom-container',
    handler: 'not-used',
    memorySize: 256,
    timeout: 10,
    caPort: 9000,
    customContainerConfig: { image },
    ...options,
  });
}

async function functionLogs(client: FcClient, name: string): Promise<string[]> {
  const { logs } = await client.json<{ logs: Array<{ message: string }> }>(
    'GET',
    `/services/ctr/functions/${name}/logs?limit=10000`,
  );
  return logs.map((line) => line.message);
}

const fcError = async (
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; status?: number }> => {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code?: string; status?: number };
    return { code: e.code ?? '', message: e.message, status: e.status };
  }
  assert.fail('expected an error');
};

describe('custom-container functions (runc, skopeo, umoci, a real registry)', {
  skip: unavailable ?? false,
}, () => {
  let registry: TestRegistry;
  let work: string;
  let v1: string;
  let v2: string;
  let asUser: string;

  before(async () => {
    registry = await TestRegistry.start();
    work = mkdtempSync(join(tmpdir(), 'kumo-image-build-'));
    const layout = buildImage(work, 'v1', {
      entrypoint: ['/usr/bin/node'],
      cmd: ['/app/server.js'],
      workingDir: '/app',
      env: ['PATH=/usr/bin:/bin', 'GREETING=from-image', 'OVERRIDDEN=image'],
    });
    buildImage(work, 'v2', { entrypoint: ['/usr/bin/node', '/app/server.js'], env: ['VARIANT=two'] });
    buildImage(work, 'user', { cmd: ['/usr/bin/node', '/app/server.js'], user: 'app', workingDir: '/tmp' });
    v1 = pushImage(layout, 'v1', registry, REPO);
    v2 = pushImage(layout, 'v2', registry, REPO);
    asUser = pushImage(layout, 'user', registry, REPO);
  });
  after(async () => {
    await registry?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const server = (t: import('node:test').TestContext) =>
    startTestServer(t, { instanceStartTimeoutMs: 20_000 }); // a loopback registry needs no setting

  test('an event function and an HTTP function run from a pushed image; the second reuses the cache', async (t) => {
    const { fc, client, server: kumo } = await server(t);
    await fc.createService('ctr');
    await createContainerFunction(fc, 'evt', v1, { environmentVariables: { OVERRIDDEN: 'function' } });

    const hello = await invoke(fc, 'ctr', 'evt', 'hello');
    assert.equal(hello.errorType, undefined, hello.body);
    assert.equal(hello.body, 'container:hello');
    assert.match(hello.logs, /event received: hello/);
    assert.match(
      hello.logs,
      /Duration: [\d.]+ ms, Billed Duration: \d+ ms, Memory Size: 256 MB, Max Memory Used: [\d.]+ MB/,
    );

    const probe = JSON.parse((await invoke(fc, 'ctr', 'evt', 'probe')).body);
    assert.ok(probe.uid >= 10000 && probe.uid <= 10999, `a uid from 10000-10999, got ${probe.uid}`);
    assert.equal(probe.cwd, '/app', 'working dir from the image');
    assert.deepEqual(probe.argv, ['/app/server.js'], 'ENTRYPOINT + CMD of the image');
    assert.equal(probe.env.GREETING, 'from-image');
    assert.equal(probe.env.OVERRIDDEN, 'function', 'function env wins over image env');
    assert.equal(probe.env.PATH, '/usr/bin:/bin');
    assert.equal(probe.env.FC_FUNCTION_NAME, 'evt');
    assert.equal(probe.env.FC_SERVER_PORT, '9000');
    assert.equal(probe.env.LD_LIBRARY_PATH, undefined, 'no /code defaults in a container');
    assert.equal(probe.tmpWritable, true, '/tmp is writable');
    assert.equal(probe.rootWritable, 'EROFS', 'the root filesystem is read-only');
    assert.equal(probe.hostname.startsWith('fc-'), true);

    const view = (await fc.getFunction('ctr', 'evt')).data as FunctionView;
    assert.equal(view.customContainerConfig?.accelerationInfo?.status, 'Ready');

    // The HTTP function: Command/Args override ENTRYPOINT/CMD, same image, served through the proxy path.
    await createContainerFunction(fc, 'web', v1, {
      customContainerConfig: { image: v1, command: '["/usr/bin/node"]', args: '["/app/server.js","--web"]' },
    });
    await fc.post('/services/ctr/functions/web/triggers', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: JSON.stringify({ AuthType: 'ANONYMOUS', Methods: ['GET', 'POST'] }),
    });
    const response = await request(`${kumo.url}/2016-08-15/proxy/ctr/web/hello?x=1`, {
      method: 'POST',
      body: 'over http',
    });
    const seen = (await response.body.json()) as Record<string, unknown>;
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-from'], 'container');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.body, 'over http');
    assert.equal(seen.controlPath, '/http-invoke');
    const webProbe = JSON.parse((await invoke(fc, 'ctr', 'web', 'probe')).body);
    assert.deepEqual(webProbe.argv, ['/app/server.js', '--web'], 'Command + Args');

    const evtLogs = await functionLogs(client, 'evt');
    const webLogs = await functionLogs(client, 'web');
    assert.equal(evtLogs.filter((l) => l.includes(': pulling sha256:')).length, 1, evtLogs.join('\n'));
    assert.equal(webLogs.filter((l) => l.includes(': pulling')).length, 0, 'no second pull');
    assert.ok(
      webLogs.some((l) => l.includes('using the cached rootfs')),
      webLogs.join('\n'),
    );
    const layerPulls =
      registry.log().match(/"GET \/v2\/test\/app\/blobs\/sha256:[0-9a-f]+ HTTP[^"]*" 200 [1-9]\d{6,}/g) ?? [];
    assert.equal(layerPulls.length, 1, 'the big layer was downloaded once');

    // Cold starts with the image already cached: a new function each time, so a new instance.
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      await createContainerFunction(fc, `cold${i}`, v1);
      const started = performance.now();
      const cold = await invoke(fc, 'ctr', `cold${i}`, 'x');
      timings.push(performance.now() - started);
      assert.equal(cold.body, 'container:x');
    }
    const warmStart = performance.now();
    await invoke(fc, 'ctr', 'cold0', 'x');
    const warm = performance.now() - warmStart;
    const sorted = [...timings].sort((a, b) => a - b);
    console.log(
      `# cold start of a custom-container function with a cached image: median ${sorted[1]?.toFixed(0)} ms ` +
        `(runs ${timings.map((ms) => ms.toFixed(0)).join(', ')} ms); warm call ${warm.toFixed(1)} ms`,
    );
  });

  test("the image's user, the initializer, a crash, a timeout and the memory limit", async (t) => {
    const { fc } = await server(t);
    await fc.createService('ctr');
    await createContainerFunction(fc, 'user', asUser, { initializer: 'init', timeout: 2, memorySize: 128 });
    const first = JSON.parse((await invoke(fc, 'ctr', 'user', 'probe')).body);
    assert.equal(first.uid, 10123, "the image's User 'app' from its /etc/passwd");
    assert.equal(first.gid, 10124);
    assert.equal(first.cwd, '/tmp');
    assert.equal(first.initialized, 1);
    assert.equal(
      JSON.parse((await invoke(fc, 'ctr', 'user', 'probe')).body).initialized,
      1,
      'initializer once',
    );

    const failed = await invoke(fc, 'ctr', 'user', 'fail');
    assert.equal(failed.errorType, 'UnhandledInvocationError');
    assert.match(failed.body, /failed on purpose/);

    const crashed = await invoke(fc, 'ctr', 'user', 'crash');
    assert.equal(crashed.errorType, 'UnhandledInvocationError');
    assert.match(crashed.body, /Process exited unexpectedly/);
    assert.match(crashed.logs, /crashing on purpose/);
    assert.equal(
      (await invoke(fc, 'ctr', 'user', 'again')).body,
      'container:again',
      'a new instance after a crash',
    );

    const slow = await invoke(fc, 'ctr', 'user', 'sleep:5000');
    assert.equal(slow.errorType, 'UnhandledInvocationError');
    assert.match(slow.body, /timed out after 2 seconds/);

    const hog = await invoke(fc, 'ctr', 'user', 'hog');
    assert.equal(hog.errorType, 'UnhandledInvocationError');
    assert.match(hog.body, /exceeded its memory limit of 128 MB/);
    assert.equal((await invoke(fc, 'ctr', 'user', 'ok')).body, 'container:ok');

    await createContainerFunction(fc, 'missing', asUser, {
      customContainerConfig: { image: asUser, command: '["/nope"]' },
    });
    const missing = await fcError(invoke(fc, 'ctr', 'missing', 'x'));
    assert.equal(missing.code, 'CAExited');
    assert.match(missing.message, /\/nope.*no such file or directory/);
  });

  test('KUMO_CONTAINER_WRITABLE_ROOTFS gives each instance its own writable root (an overlay)', async (t) => {
    const { fc } = await startTestServer(t, { containerWritableRootfs: true });
    await fc.createService('ctr');
    await createContainerFunction(fc, 'rw', v1);
    const probe = JSON.parse((await invoke(fc, 'ctr', 'rw', 'probe')).body);
    assert.equal(probe.rootWritable, true);
    assert.equal(probe.tmpWritable, true);
  });

  test('concurrent cold starts share one pull; a bad tag, a bad reference and a stopped registry fail fast and clearly', async (t) => {
    const { fc, client } = await server(t);
    await fc.createService('ctr');

    const badTag = await fcError(createContainerFunction(fc, 'nope', `${registry.host}/${REPO}:nope`));
    assert.equal(badTag.code, 'InvalidArgument');
    assert.match(badTag.message, /test\/app:nope does not exist/);
    const badRef = await fcError(createContainerFunction(fc, 'bad', 'Not A Reference!'));
    assert.equal(badRef.code, 'InvalidArgument');
    assert.match(badRef.message, /invalid image reference/);
    const badArgs = await fcError(
      createContainerFunction(fc, 'badargs', v1, { customContainerConfig: { image: v1, args: 'node x' } }),
    );
    assert.equal(badArgs.code, 'InvalidArgument');

    await createContainerFunction(fc, 'burst', v2, { instanceConcurrency: 1 });
    const results = await Promise.all([1, 2, 3].map(() => invoke(fc, 'ctr', 'burst', 'sleep:300')));
    assert.deepEqual(
      results.map((r) => r.body),
      ['slept', 'slept', 'slept'],
    );
    assert.ok(new Set(results.map((r) => r.headers['x-fc-instance-id'])).size >= 2, 'several cold starts');
    const burstLogs = await functionLogs(client, 'burst');
    assert.equal(burstLogs.filter((l) => l.includes(': pulling sha256:')).length, 1, burstLogs.join('\n'));

    await registry.stop();
    t.after(() => registry.resume());
    // A tag Kumo has never seen: accepted (the registry may come back), then a clear, fast failure.
    await createContainerFunction(fc, 'gone', `${registry.host}/${REPO}:v9`);
    const view = (await fc.getFunction('ctr', 'gone')).data as FunctionView;
    assert.equal(view.customContainerConfig?.accelerationInfo?.status, 'Failed');
    const started = Date.now();
    const unreachable = await fcError(invoke(fc, 'ctr', 'gone', 'x'));
    assert.ok(Date.now() - started < 10_000, 'no hang');
    assert.equal(unreachable.code, 'FunctionNotStarted');
    assert.match(unreachable.message, /registry 127\.0\.0\.1:\d+ is unreachable/);
    assert.match((await functionLogs(client, 'gone')).join('\n'), /pull failed: .*unreachable/);
    // An image already cached still starts with the registry down.
    await createContainerFunction(fc, 'cached', v2);
    assert.equal((await invoke(fc, 'ctr', 'cached', 'still works')).body, 'container:still works');
  });

  test('a registry off loopback is reached over plain HTTP only when KUMO_REGISTRY_INSECURE lists it', async (t) => {
    const far = await forwardOffLoopback(t, registry.port);
    if (!far) return t.skip('this machine has no non-loopback IPv4 address');
    const image = v2.replace(registry.host, far);
    const strict = await server(t);
    await strict.fc.createService('ctr');
    const refused = await fcError(
      (async () => {
        await createContainerFunction(strict.fc, 'far', image);
        await invoke(strict.fc, 'ctr', 'far', 'x');
      })(),
    );
    assert.match(refused.message, /HTTPS|https|tls|TLS/, refused.message);

    const { fc } = await startTestServer(t, { registryInsecure: far, instanceStartTimeoutMs: 20_000 });
    await fc.createService('ctr');
    await createContainerFunction(fc, 'far', image);
    assert.equal((await invoke(fc, 'ctr', 'far', 'over http')).body, 'container:over http');
  });
});
