import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import {
  assertWorkersSupported,
  describeWorkers,
  resolveWorkerCount,
  subnetSlice,
  workerConfig,
} from '../../src/workers/index.js';

test('each worker gets its own slice of the instance subnets, none overlapping', () => {
  assert.equal(subnetSlice('10.213.0.0/16', 1, 2), '10.213.0.0/17');
  assert.equal(subnetSlice('10.213.0.0/16', 2, 2), '10.213.128.0/17');
  assert.deepEqual(
    [1, 2, 3].map((i) => subnetSlice('10.240.64.0/19', i, 3)),
    ['10.240.64.0/21', '10.240.72.0/21', '10.240.80.0/21'],
  );
  assert.throws(() => subnetSlice('10.1.2.0/28', 1, 2), /too small for 2 workers/);
});

test('a worker config: its name, data dir, subnets and its part of the host-wide limits', () => {
  const config = loadConfig(
    {
      KUMO_NODE_NAME: 'box',
      KUMO_NODE_URL: 'http://10.0.0.1:8780',
      KUMO_MAX_INSTANCES: '100',
      KUMO_MAX_QUEUED_CALLS: '7',
    },
    { dataDir: '/var/kumo', storeUrl: 'postgres://x/y' },
  );
  const second = workerConfig(config, 2, 2);
  assert.equal(second.nodeName, 'box-w2');
  assert.equal(second.nodeUrl, undefined);
  assert.equal(second.dataDir, '/var/kumo/workers/w2');
  assert.equal(second.sandboxSubnet, '10.213.128.0/17');
  assert.equal(second.containerSubnet, '10.214.128.0/17');
  assert.equal(second.maxInstances, 50);
  assert.equal(second.maxQueuedCalls, 3);
  // FC's per-function ceiling stays whole: maximumInstanceCount is shared between workers at run time instead.
  assert.equal(second.maxInstancesPerFunction, config.maxInstancesPerFunction);
  assert.ok(Object.isFrozen(second));
});

test('--workers: a count or auto; more than one needs PostgreSQL', () => {
  assert.equal(resolveWorkerCount('auto', 2), 2);
  assert.equal(resolveWorkerCount('auto', 64), 8);
  assert.equal(resolveWorkerCount(3, 2), 3);
  assert.equal(loadConfig({ KUMO_WORKERS: 'auto' }).workers, 'auto');
  assert.throws(() => loadConfig({ KUMO_WORKERS: 'many' }), /KUMO_WORKERS/);
  const sqlite = loadConfig({ KUMO_WORKERS: '2' });
  assert.throws(() => assertWorkersSupported(sqlite, 2), /--workers 2 needs --store postgres/);
  assert.equal(describeWorkers(sqlite).usable, false);
  assert.doesNotThrow(() => assertWorkersSupported(sqlite, 1));
});
