import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc3InputToFc2, toFc3Function } from '../../src/api/fc3/function-map.js';
import { locateFc3 } from '../../src/api/fc3/names.js';
import type { FunctionRecord, Service } from '../../src/model/index.js';

const context = { accountId: '123', region: 'local' };
const time = '2026-12-01T00:00:00.000Z';

test('FC 3.0 input splits into service fields and FC 2.0 function fields', () => {
  const parts = fc3InputToFc2({
    functionName: 'img',
    runtime: 'custom-container',
    role: 'acs:ram::123:role/r',
    internetAccess: false,
    logConfig: { project: 'p', logstore: 's' },
    cpu: 1,
    diskSize: 10240,
    customContainerConfig: {
      image: 'registry/app:1',
      entrypoint: ['/app'],
      command: ['--serve'],
      port: 8080,
    },
    instanceLifecycleConfig: {
      initializer: { handler: 'init', timeout: 7 },
      preStop: { handler: 'stop', timeout: 3 },
    },
    code: { zipFile: 'UEsFBg==', checksum: '123' },
    gpuConfig: { gpuType: 'x' },
  });
  assert.deepEqual(parts.service, {
    role: 'acs:ram::123:role/r',
    internetAccess: false,
    logConfig: { project: 'p', logstore: 's' },
  });
  assert.equal(parts.codeChecksum, '123');
  assert.deepEqual(parts.fn.code, { zipFile: 'UEsFBg==' });
  assert.deepEqual(parts.fn.customContainerConfig, {
    image: 'registry/app:1',
    accelerationType: undefined,
    command: '["/app"]',
    args: '["--serve"]',
  });
  assert.equal(parts.fn.caPort, 8080);
  assert.equal(parts.fn.initializer, 'init');
  assert.equal(parts.fn.initializationTimeout, 7);
  assert.deepEqual(parts.fn.instanceLifecycleConfig, { preStop: { handler: 'stop', timeout: 3 } });
  assert.equal('gpuConfig' in parts.fn, false);
  assert.throws(() => fc3InputToFc2({ code: 'not an object' }), /code must be an object/);
});

test('a stored function reads back in FC 3.0 shape, under the name its service says', () => {
  const fn: FunctionRecord = {
    serviceName: 'img',
    functionName: 'img',
    functionId: 'id',
    runtime: 'custom-container',
    memorySize: 1024,
    timeout: 60,
    instanceConcurrency: 1,
    initializationTimeout: 7,
    initializer: 'init',
    caPort: 8080,
    environmentVariables: {},
    customContainerConfig: { image: 'registry/app:1', command: '["/app"]', args: '["--serve"]' },
    code: null,
    createdTime: time,
    lastModifiedTime: time,
  };
  const service: Service = {
    serviceName: 'img',
    serviceId: 'sid',
    createdTime: time,
    lastModifiedTime: time,
    fcVersion: 'v3',
    logConfig: { project: 'p' },
  };
  const answer = toFc3Function(service, fn, context);
  assert.equal(answer.functionName, 'img');
  assert.equal(answer.functionArn, 'acs:fc:local:123:functions/img');
  assert.deepEqual(answer.customContainerConfig, {
    image: 'registry/app:1',
    entrypoint: ['/app'],
    command: ['--serve'],
    port: 8080,
  });
  assert.deepEqual(answer.instanceLifecycleConfig, { initializer: { handler: 'init', timeout: 7 } });
  assert.deepEqual(answer.logConfig, { project: 'p' });
  assert.equal(answer.cpu, 0.5);
  assert.equal(answer.fcVersion, 'v3');

  const { fcVersion: _v, ...v2Service } = service;
  const v2 = toFc3Function({ ...v2Service, serviceName: 'svc' }, { ...fn, serviceName: 'svc' }, context);
  assert.equal(v2.functionName, 'svc$img');
  assert.equal(v2.fcVersion, 'v2');
  assert.deepEqual(locateFc3('svc$img'), { serviceName: 'svc', functionName: 'img', fcVersion: 'v2' });
  assert.deepEqual(locateFc3('img'), { serviceName: 'img', functionName: 'img', fcVersion: 'v3' });
});
