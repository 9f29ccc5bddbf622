import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { KeyRing } from '../../src/api/auth.js';
import { type InvokeRequest, Invoker, invokeHttp } from '../../src/invoke/index.js';
import { FcError, type FunctionRecord, type Service } from '../../src/model/index.js';
import { CUSTOM, RuntimeRegistry } from '../../src/runtimes/registry.js';
import { until, useScheduler } from '../scheduler/fake-sandbox.js';

// The invoke layer over a real scheduler on the fake sandbox (the one fake, at the Sandbox seam): what a cold
// start mints and starts, what a warm call skips, and what every call logs.

const SERVICE: Service = { serviceName: 'svc', serviceId: 'sid', createdTime: '', lastModifiedTime: '' };

function fnRecord(overrides: Partial<FunctionRecord> = {}): FunctionRecord {
  return {
    serviceName: 'svc',
    functionName: 'fn',
    functionId: 'fid',
    runtime: 'custom',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 10,
    instanceConcurrency: 1,
    initializationTimeout: 10,
    caPort: 9000,
    environmentVariables: { MINE: '1' },
    customRuntimeConfig: { command: ['fake'] },
    code: { sha256: 'a'.repeat(64), codeSize: 1, codeChecksum: '42' },
    createdTime: '',
    lastModifiedTime: '',
    ...overrides,
  };
}

async function useInvoker(t: TestContext) {
  const { scheduler, logs } = await useScheduler(t);
  const codeDir = await mkdtemp(join(tmpdir(), 'kumo-invoke-test-'));
  t.after(() => rm(codeDir, { recursive: true, force: true }));
  const keys = new KeyRing();
  const minted: string[] = [];
  const codeDirCalls: string[] = [];
  const invoker = new Invoker({
    scheduler,
    runtimes: new RuntimeRegistry([CUSTOM]),
    codeDir: async (sha256) => {
      codeDirCalls.push(sha256);
      return codeDir;
    },
    mintCredentials: (serviceName, ttlMs) => {
      const credentials = {
        accessKeyId: `STS.${randomBytes(6).toString('hex')}`,
        accessKeySecret: 'secret',
        securityToken: 'token',
      };
      keys.add(credentials.accessKeyId, { secret: 'secret', serviceName, expiresAt: Date.now() + ttlMs });
      minted.push(credentials.accessKeyId);
      return credentials;
    },
    revokeCredentials: (accessKeyId) => keys.remove(accessKeyId),
    logs,
    region: 'cn-test',
    accountId: '1234',
    billingGranularityMs: 100,
    pidsLimit: 32,
  });
  const call = (requestId: string, fn = fnRecord()): InvokeRequest => ({
    requestId,
    service: SERVICE,
    fn,
    revision: 'r1',
    qualifier: 'LATEST',
    payload: Buffer.from('{}'),
    tailLogs: true,
  });
  return { invoker, scheduler, keys, minted, codeDirCalls, call };
}

interface Seen {
  instanceId: string;
  path: string;
  headers: Record<string, string>;
  env: Record<string, string>;
}

const logOf = (headers: Record<string, string>) =>
  Buffer.from(headers['x-fc-log-result'] ?? '', 'base64').toString();

describe('invoke: one call lifecycle', () => {
  it('a cold call starts an instance with its own id and keys; warm calls build no recipe', async (t) => {
    const { invoker, keys, minted, codeDirCalls, call } = await useInvoker(t);
    const cold = await invoker.invoke(call('req-1'));
    const seen = JSON.parse(cold.body.toString()) as Seen;
    assert.equal(cold.headers['x-fc-instance-id'], seen.instanceId);
    assert.equal(seen.env.FC_INSTANCE_ID, seen.instanceId, 'the recipe names the id the scheduler assigned');
    assert.equal(seen.env.MINE, '1');
    assert.equal(seen.env.ALIBABA_CLOUD_ACCESS_KEY_ID, minted[0]);
    assert.equal(seen.headers['x-fc-access-key-id'], minted[0], 'calls carry the instance keys');
    assert.equal(keys.get(minted[0] ?? '')?.serviceName, 'svc');
    assert.equal(seen.headers['x-fc-request-id'], 'req-1');
    assert.equal(seen.headers['x-fc-control-path'], '/invoke');

    const warm = await invoker.invoke(call('req-2'));
    assert.equal(warm.headers['x-fc-instance-id'], seen.instanceId);
    assert.equal((JSON.parse(warm.body.toString()) as Seen).headers['x-fc-request-id'], 'req-2');
    assert.deepEqual(codeDirCalls.length, 1, 'the warm call built no recipe');
    assert.equal(minted.length, 1, 'and minted no keys');
  });

  it("revokes an instance's keys when it stops, and the keys minted for a start that failed", async (t) => {
    const { invoker, scheduler, keys, minted, call } = await useInvoker(t);
    await invoker.invoke(call('req-1'));
    const [instance] = scheduler.instances('svc/fn');
    assert.ok(instance && keys.get(minted[0] ?? ''));
    scheduler.retire('svc/fn');
    await instance.stopped;
    await until(() => keys.get(minted[0] ?? '') === undefined, 'the stopped instance loses its keys');

    // No customRuntimeConfig.command: the custom runtime needs /code/bootstrap, which this code lacks.
    const noBootstrap = fnRecord({ customRuntimeConfig: undefined });
    await assert.rejects(
      invoker.invoke(call('req-2', noBootstrap)),
      (error) => error instanceof FcError && error.code === 'CAExited',
    );
    assert.equal(minted.length, 2);
    assert.equal(keys.get(minted[1] ?? ''), undefined, 'the failed start keeps no keys');
    assert.equal(scheduler.instanceCount, 0);
  });

  it('initializes an instance once and frames every call in its log, billing line last', async (t) => {
    const { invoker, call } = await useInvoker(t);
    const fn = fnRecord({ initializer: 'index.init' });
    const first = logOf((await invoker.invoke(call('req-1', fn))).headers);
    const second = logOf((await invoker.invoke(call('req-2', fn))).headers);
    assert.match(first, /^FC Initialize Start RequestId: req-1\nFC Initialize End RequestId: req-1\n/);
    assert.match(first, /FC Invoke Start RequestId: req-1\nFC Invoke End RequestId: req-1\nDuration: /);
    assert.doesNotMatch(second, /Initialize/, 'the second call finds the instance initialized');
    assert.match(
      second,
      /^FC Invoke Start RequestId: req-2\nFC Invoke End RequestId: req-2\nDuration: .* ms, Billed Duration: 100 ms, Memory Size: 128 MB/,
    );
  });

  it('an HTTP call with a small, typed answer gets it whole and gives the slot back', async (t) => {
    // A large or chunked answer streams (test/gateway/whole-answers.test.ts, http-trigger.test.ts).
    const { invoker, scheduler, call } = await useInvoker(t);
    const result = await invokeHttp(invoker, {
      ...call('req-h'),
      method: 'GET',
      url: '/hello?x=1',
      headers: { 'x-custom': 'yes', 'x-fc-request-id': 'forged' },
      body: null,
      clientIp: '10.0.0.9',
      basePath: '/2016-08-15/proxy/svc/fn',
    });
    assert.equal(result.status, 200);
    assert.ok(Buffer.isBuffer(result.body), 'a small answer with its length and type is read whole');
    const [instance] = scheduler.instances('svc/fn');
    assert.equal(result.headers['content-type'], 'application/json');
    assert.equal(result.headers['content-length'], String(result.body.length));
    const seen = JSON.parse(result.body.toString()) as Seen;
    assert.equal(seen.path, '/hello?x=1');
    assert.equal(seen.headers['x-custom'], 'yes');
    assert.equal(seen.headers['x-fc-request-id'], 'req-h', "a caller's x-fc-* header is dropped");
    assert.equal(seen.headers['x-fc-control-path'], '/http-invoke');
    assert.equal(seen.headers['x-fc-client-ip'], '10.0.0.9');
    await until(() => instance?.inFlight === 0, 'the slot is given back');
  });
});
