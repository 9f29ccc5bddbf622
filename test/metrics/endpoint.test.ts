import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

/** Prometheus text format: `name{labels} value` lines, comments skipped. */
function parseSamples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

function sampleValue(
  samples: ReturnType<typeof parseSamples>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}

test('/metrics after N invocations: the counter at N for the function, a histogram of N samples', async (t) => {
  const { server, fc } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  await deployCustom(fc, 'svc', 'other', NODE_RUNTIME);
  const N = 5;
  for (let i = 0; i < N; i++)
    assert.equal((await invoke(fc, 'svc', 'fn', `hello ${i}`)).errorType, undefined);
  assert.equal((await invoke(fc, 'svc', 'other', 'crash')).errorType, 'UnhandledInvocationError');

  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = parseSamples(await response.text());
  const fn = { service: 'svc', function: 'fn', qualifier: 'LATEST' };
  assert.equal(sampleValue(samples, 'kumo_invocations_total', { ...fn, outcome: 'success' }), N);
  assert.equal(sampleValue(samples, 'kumo_invocation_duration_seconds_count', fn), N);
  assert.equal(sampleValue(samples, 'kumo_invocation_duration_seconds_bucket', { ...fn, le: '+Inf' }), N);
  assert.equal(sampleValue(samples, 'kumo_cold_starts_total', fn), 1, 'one cold start, then warm calls');
  const other = { service: 'svc', function: 'other', qualifier: 'LATEST' };
  assert.equal(sampleValue(samples, 'kumo_invocations_total', { ...other, outcome: 'crashed' }), 1);
  assert.equal(sampleValue(samples, 'kumo_instance_stops_total', { reason: 'crashed' }), 1);
  assert.equal(sampleValue(samples, 'kumo_instances', { state: 'ready' }), 1, 'fn still has its instance');
  assert.equal(sampleValue(samples, 'kumo_queued_calls', {}), 0);
  assert.equal(sampleValue(samples, 'kumo_async_backlog', { status: 'enqueued' }), 0);
  // Routes by pattern: the function name is not in any HTTP label.
  const invocations = samples.filter(
    (s) => s.name === 'kumo_http_requests_total' && s.labels.route?.endsWith('/invocations'),
  );
  assert.deepEqual(
    invocations.map((s) => [s.labels.route, s.labels.status, s.value]),
    [['/2016-08-15/services/:service/functions/:function/invocations', '200', N + 1]],
  );
  assert.ok(sampleValue(samples, 'process_resident_memory_bytes', {}), 'process metrics are there');

  // The console's history is fed by the same calls.
  const minutes = server.health.metrics.history.series({ service: 'svc', function: 'fn' }, 2);
  assert.equal(
    minutes.reduce((sum, minute) => sum + minute.calls, 0),
    N,
  );

  // A deleted function's series go.
  await fc.deleteFunction('svc', 'other');
  await until(
    async () => !(await (await fetch(`${server.url}/metrics`)).text()).includes('function="other"'),
    {
      what: "the deleted function's series are gone",
    },
  );
});

test('/metrics with KUMO_METRICS_TOKEN: a bearer token is needed', async (t) => {
  const { server } = await startTestServer(t, { metricsToken: 'scrape-secret' });
  const anonymous = await fetch(`${server.url}/metrics`);
  assert.equal(anonymous.status, 403);
  assert.equal(((await anonymous.json()) as { ErrorCode: string }).ErrorCode, 'AccessDenied');
  const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secreT' } });
  assert.equal(wrong.status, 403);
  const good = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
  assert.equal(good.status, 200);
  assert.match(await good.text(), /# TYPE kumo_invocations_total counter/);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200, '/healthz stays open');
});

test('/readyz: 200 when ready, 503 with the reasons while draining or with a closed store', async (t) => {
  const { server } = await startTestServer(t);
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });

  await server.health.store.close();
  const broken = await fetch(`${server.url}/readyz`);
  assert.equal(broken.status, 503);
  const body = (await broken.json()) as { reasons: string[] };
  assert.match(body.reasons.join('\n'), /^metadata store: .*not open/m);

  server.health.drain();
  const draining = (await (await fetch(`${server.url}/readyz`)).json()) as { reasons: string[] };
  assert.match(draining.reasons[0] ?? '', /^draining/);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still alive');
});
