import assert from 'node:assert/strict';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { poolOf, poolReady } from './prewarm-helpers.js';

const canPool = process.getuid?.() === 0 && process.env.KUMO_SANDBOX !== 'process';

// What a Node.js function can tell of its heap: the flag in argv and the limit V8 enforces.
const HEAP_PROBE = `
const v8 = require('v8');
exports.handler = (event, context, callback) => callback(null, JSON.stringify({
  execArgv: process.execArgv,
  heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576),
  memory: context.function.memory,
  startedAt: Date.now() - process.uptime() * 1000,
}));
`;

async function deployHeapProbe(fc: FC, fn: string, memorySize: number): Promise<void> {
  await fc.createService('svc').catch((error: Error & { code?: string }) => {
    if (error.code !== 'ServiceAlreadyExists') throw error;
  });
  await fc.createFunction('svc', {
    functionName: fn,
    runtime: 'nodejs20',
    handler: 'index.handler',
    memorySize,
    code: { zipFile: await zipFiles({ 'index.js': HEAP_PROBE }) },
  });
}

test('a nodejs20:512 pool serves 512 MB functions with the heap of a normal 512 MB start, and no other size', {
  skip: !canPool && 'pre-warmed pools need the bwrap sandbox as root',
}, async (t) => {
  const pooled = await startTestServer(t, { prewarm: 'nodejs20=1,nodejs20:512=1' });
  const plain = await startTestServer(t);
  await poolReady(pooled.server, 'nodejs20', 1);
  await poolReady(pooled.server, 'nodejs20:512', 1);
  const deployedAt = Date.now();
  await deployHeapProbe(pooled.fc, 'big', 512);
  await deployHeapProbe(plain.fc, 'big', 512);

  const fromPool = JSON.parse((await invoke(pooled.fc, 'svc', 'big', '')).body);
  const normal = JSON.parse((await invoke(plain.fc, 'svc', 'big', '')).body);
  assert.equal(poolOf(pooled.server, 'nodejs20:512').takes, 1, 'the 512 MB pool served it');
  assert.equal(poolOf(pooled.server, 'nodejs20').takes, 0, 'not the 128 MB one');
  assert.ok(fromPool.startedAt < deployedAt, 'its process ran before the function existed');
  assert.deepEqual(fromPool.execArgv, normal.execArgv);
  assert.equal(fromPool.heapLimitMb, normal.heapLimitMb);
  assert.equal(fromPool.memory, 512);

  // A size no pool has starts as usual; the pools are untouched.
  await deployHeapProbe(pooled.fc, 'mid', 256);
  const mid = JSON.parse((await invoke(pooled.fc, 'svc', 'mid', '')).body);
  assert.equal(mid.memory, 256);
  assert.ok(mid.startedAt > deployedAt);
  assert.equal(poolOf(pooled.server, 'nodejs20:512').takes, 1);
  assert.equal(poolOf(pooled.server, 'nodejs20').takes, 0);
  assert.equal(poolOf(pooled.server, 'nodejs20').misses, 0, 'no pool serves 256 MB: not a miss of one');
});
