import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics, MetricsHistory } from '../../src/metrics/index.js';

const MINUTE = 60_000;

/** A clock the test moves by hand. */
function fakeClock(start = 1_000 * MINUTE + 5_000) {
  const clock = { now: start, advance: (ms: number) => (clock.now += ms) };
  return clock;
}

test('history.series: per-minute calls, errors, cold starts and p50/p99 for one qualifier or all', () => {
  const clock = fakeClock();
  const history = new MetricsHistory(() => clock.now);
  // Minute 0: 100 calls on LATEST, 1..100 ms, every tenth an error, two cold starts.
  for (let i = 1; i <= 100; i++) history.record('svc', 'fn', 'LATEST', i, i % 10 === 0, i <= 2);
  clock.advance(2 * MINUTE);
  // Minute 2: 3 calls on an alias, 500 ms each.
  for (let i = 0; i < 3; i++) history.record('svc', 'fn', 'prod', 500, false, false);

  const all = history.series({ service: 'svc', function: 'fn' }, 5);
  assert.equal(all.length, 5);
  assert.deepEqual(
    all.map((s) => s.t),
    [-4, -3, -2, -1, 0].map((m) => (1_002 + m) * MINUTE),
    'oldest first, aligned on minute starts, the current minute last',
  );
  const first = all[2];
  assert.equal(first?.calls, 100);
  assert.equal(first?.errors, 10);
  assert.equal(first?.coldStarts, 2);
  // Log buckets of about ±10 %: the 50th of 1..100 ms is about 50, the 99th about 99.
  assert.ok(first?.p50Ms && Math.abs(first.p50Ms - 50) <= 6, `p50 ${first?.p50Ms}`);
  assert.ok(first?.p99Ms && Math.abs(first.p99Ms - 99) <= 10, `p99 ${first?.p99Ms}`);
  assert.deepEqual(all[3], {
    t: 1_001 * MINUTE,
    calls: 0,
    errors: 0,
    coldStarts: 0,
    p50Ms: null,
    p99Ms: null,
  });
  assert.equal(all[4]?.calls, 3);

  const prod = history.series({ service: 'svc', function: 'fn', qualifier: 'prod' }, 5);
  assert.deepEqual(
    prod.map((s) => s.calls),
    [0, 0, 0, 0, 3],
  );
  assert.ok(prod[4]?.p50Ms && Math.abs(prod[4].p50Ms - 500) <= 50);
  assert.equal(history.series({ service: 'svc', function: 'other' }, 3).length, 3, 'unknown: empty minutes');
});

test('history: a slot is reused after an hour, idle functions and deleted ones are dropped, at most 60 minutes', () => {
  const clock = fakeClock();
  const history = new MetricsHistory(() => clock.now);
  history.record('svc', 'a', 'LATEST', 10, false, false);
  history.record('svc', 'b', 'LATEST', 10, false, false);
  assert.equal(history.series({ service: 'svc', function: 'a' }, 600).length, 60, 'capped at 60 minutes');

  clock.advance(60 * MINUTE);
  history.record('svc', 'a', 'LATEST', 20, true, false);
  const series = history.series({ service: 'svc', function: 'a' }, 60);
  assert.equal(
    series.reduce((sum, s) => sum + s.calls, 0),
    1,
    'the call of an hour ago left the ring',
  );
  assert.equal(series.at(-1)?.errors, 1);
  assert.equal(history.size, 1, 'b was idle for an hour: dropped');

  history.forget('svc', 'a');
  assert.equal(history.size, 0);
});

test('Metrics feeds prom-client and the history from one observation', async () => {
  const clock = fakeClock();
  const metrics = new Metrics({ now: () => clock.now, processMetrics: false });
  metrics.invocation('svc', 'fn', 'LATEST', 'success', 12, true);
  metrics.invocation('svc', 'fn', 'LATEST', 'timeout', 3000, false);
  metrics.throttled('svc', 'fn', 'LATEST', 'ResourceThrottled');
  const text = await metrics.text();
  assert.match(
    text,
    /kumo_invocations_total\{service="svc",function="fn",qualifier="LATEST",outcome="success"\} 1/,
  );
  assert.match(
    text,
    /kumo_invocations_total\{service="svc",function="fn",qualifier="LATEST",outcome="timeout"\} 1/,
  );
  assert.match(text, /kumo_invocations_total\{[^}]*outcome="throttled"\} 1/);
  assert.match(text, /kumo_throttles_total\{service="svc",function="fn",code="ResourceThrottled"\} 1/);
  assert.match(text, /kumo_cold_starts_total\{service="svc",function="fn",qualifier="LATEST"\} 1/);
  const [minute] = metrics.history.series({ service: 'svc', function: 'fn' }, 1);
  assert.equal(minute?.calls, 2);
  assert.equal(minute?.errors, 1);

  metrics.forget('svc', 'fn');
  assert.doesNotMatch(await metrics.text(), /function="fn"/, 'a deleted function leaves no series');
});
