import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from './poll.js';

test('until returns the first truthy value, checking again after falsy values and errors', async () => {
  let checks = 0;
  const value = await until(
    () => {
      checks++;
      if (checks === 1) throw new Error('not yet');
      return checks === 3 ? { checks } : 0;
    },
    { what: 'the third check', intervalMs: 1 },
  );
  assert.deepEqual(value, { checks: 3 });
});

test('until fails naming what never happened, with the last error and the detail', async () => {
  await assert.rejects(
    until(
      () => {
        throw new Error('still starting');
      },
      { what: 'the server is up', timeoutMs: 30, intervalMs: 5, detail: () => 'output so far' },
    ),
    /timed out after 30 ms waiting until the server is up \(last error: still starting\)\noutput so far/,
  );
  await assert.rejects(
    until(() => false, { what: 'never', timeoutMs: 10 }),
    /until never \(last value: false\)/,
  );
});
