import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { MIN_VCPUS, vcpusFor } from '../../src/sandbox/cgroup.js';
import { cpuLimit } from '../../src/sandbox/slot.js';

test('vCPUs scale with memory at 1 vCPU per GB in 0.05 steps, between MIN_VCPUS and the host cores', () => {
  assert.equal(vcpusFor(128, 16), MIN_VCPUS);
  assert.equal(vcpusFor(512, 16), 0.5);
  assert.equal(vcpusFor(1536, 16), 1.5);
  assert.equal(vcpusFor(1600, 16), 1.6);
  assert.equal(vcpusFor(32768, 16), 16);
  assert.equal(vcpusFor(32768, 2), 2, 'never more than the host has');
  assert.equal(vcpusFor(128, 16, 0.05), 0.05, "a function's cpu wins");
  assert.equal(vcpusFor(4096, 2, 8), 2);
});

test('the CFS quota is the vCPUs times a 100 ms period', () => {
  const spec = { memoryMb: 2048, cpuCores: undefined } as Parameters<typeof cpuLimit>[0];
  const { quotaUs, periodUs } = cpuLimit(spec);
  assert.equal(periodUs, 100_000);
  assert.equal(quotaUs, Math.min(2, availableParallelism()) * 100_000);
});
