import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

const SERVICE = {
  description: 'every field',
  role: 'acs:ram::1234567890123456:role/fc-role',
  internetAccess: false,
  logConfig: {
    project: 'proj',
    logstore: 'store',
    enableRequestMetrics: true,
    enableInstanceMetrics: true,
    logBeginRule: 'DefaultRegex',
  },
  vpcConfig: { vpcId: 'vpc-1', vSwitchIds: ['vsw-1', 'vsw-2'], securityGroupId: 'sg-1' },
  nasConfig: {
    userId: 10003,
    groupId: 10003,
    mountPoints: [{ serverAddr: 'nas.example.com:/share', mountDir: '/mnt/nas', enableTLS: true }],
  },
  tracingConfig: { type: 'Jaeger', params: { endpoint: 'http://tracing.example.com:14268/api/traces' } },
  ossMountConfig: {
    mountPoints: [
      {
        bucketName: 'bucket',
        bucketPath: '/data',
        endpoint: 'http://oss.example.com',
        mountDir: '/mnt/oss',
        readOnly: true,
      },
    ],
  },
};

const FUNCTION = {
  description: 'every field',
  runtime: 'custom',
  handler: 'index.handler',
  initializer: 'index.init',
  initializationTimeout: 20,
  memorySize: 512,
  timeout: 30,
  instanceConcurrency: 5,
  instanceSoftConcurrency: 3,
  instanceType: 'e1',
  cpu: 0.5,
  diskSize: 512,
  gpuMemorySize: 0,
  environmentVariables: { A: '1', B_2: 'two' },
  caPort: 9001,
  customRuntimeConfig: { command: ['/code/bootstrap'], args: ['--x'] },
  customHealthCheckConfig: {
    httpGetUrl: '/ready',
    initialDelaySeconds: 1,
    periodSeconds: 2,
    timeoutSeconds: 3,
    failureThreshold: 4,
    successThreshold: 1,
  },
  customDNS: {
    nameServers: ['1.1.1.1'],
    searches: ['example.com'],
    dnsOptions: [{ name: 'ndots', value: '2' }],
  },
  instanceLifecycleConfig: {
    preFreeze: { handler: 'index.preFreeze', timeout: 5 },
    preStop: { handler: 'index.preStop', timeout: 6 },
  },
};

/** `actual` holds every field of `expected` with the same value (answers add ids and times). */
function assertHolds(actual: Record<string, unknown>, expected: Record<string, unknown>, what: string): void {
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(actual[key], value, `${what}.${key}`);
}

// FC_API.md §4: every documented service, function and trigger field is stored and answered as given.
test('every documented field round-trips through fc2', async (t) => {
  const { fc } = await startTestServer(t);

  await t.test('service: create, get, list, update', async () => {
    assertHolds((await fc.createService('full', SERVICE)).data, SERVICE, 'create');
    assertHolds((await fc.getService('full')).data, SERVICE, 'get');
    const listed = (await fc.listServices({ prefix: 'full' })).data.services[0] ?? {};
    assertHolds(listed, SERVICE, 'list');
    const tracing = { type: 'Jaeger', params: { endpoint: 'http://other:14268/api/traces' } };
    const updated = await fc.updateService('full', { tracingConfig: tracing });
    assertHolds(updated.data, { ...SERVICE, tracingConfig: tracing }, 'update');
    assert.deepEqual((await fc.updateService('full', { tracingConfig: {} })).data.tracingConfig, {});
  });

  await t.test('service: FC validates tracingConfig.type', async () => {
    await assert.rejects(fc.createService('bad', { tracingConfig: { type: 'Zipkin' } }), (error: Error) => {
      assert.match(error.message, /tracingConfig.type must be 'Jaeger'/);
      return true;
    });
  });

  await t.test('function: create, get, update', async () => {
    const code = { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\nexit 0\n' }) };
    const created = await fc.createFunction('full', { functionName: 'fn', code, ...FUNCTION });
    assertHolds(created.data, FUNCTION, 'create');
    assertHolds((await fc.getFunction('full', 'fn')).data, FUNCTION, 'get');
    const changes = {
      memorySize: 1024,
      environmentVariables: { C: '3' },
      customDNS: { nameServers: ['8.8.8.8'] },
    };
    assertHolds((await fc.updateFunction('full', 'fn', changes)).data, { ...FUNCTION, ...changes }, 'update');
  });

  await t.test('triggers: http and timer with every field', async () => {
    const http = {
      triggerName: 'web',
      triggerType: 'http',
      description: 'web trigger',
      qualifier: 'LATEST',
      invocationRole: 'acs:ram::1234567890123456:role/invoke',
      sourceArn: 'acs:fc:local:1234567890123456:services/full',
      triggerConfig: { authType: 'function', methods: ['GET', 'POST'], disableURLInternet: true },
    };
    assertHolds((await fc.createTrigger('full', 'fn', http)).data, http, 'http create');
    assertHolds((await fc.getTrigger('full', 'fn', 'web')).data, http, 'http get');
    const timer = {
      triggerName: 'tick',
      triggerType: 'timer',
      description: 'every hour',
      triggerConfig: { cronExpression: '0 0 * * * *', payload: '{"a":1}', enable: false },
    };
    assertHolds((await fc.createTrigger('full', 'fn', timer)).data, timer, 'timer create');
    assertHolds((await fc.getTrigger('full', 'fn', 'tick')).data, timer, 'timer get');
  });
});
