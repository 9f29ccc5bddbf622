// One autocannon run in its own process (so the load generator never shares an event loop with Kumo).
// argv[2]: JSON {url, method, headers, body, connections, duration, warmupChunk, minWarmup, maxWarmup}. Prints one
// JSON line.
//
// Warm-up and measurement are one run on the same connections (closing connections between them would abort
// in-flight requests): at least `minWarmup` seconds, then `warmupChunk`-second windows until two in a row agree
// within 10 % on 2xx responses (or `maxWarmup` seconds), then `duration` seconds measured. autocannon's own latency histogram has 1 ms
// resolution; its per-response times are hrtime-based floats, so the figures are computed here from those.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const warmupChunk = options.warmupChunk ?? 0;
const maxWarmup = options.maxWarmup ?? 0;
const minWarmup = options.minWarmup ?? 0;

let latencies = new Float64Array(1 << 16);
let count = 0;
let chunkOk = 0;
let measuring = warmupChunk <= 0 || maxWarmup <= 0;
let measureStart = performance.now();
let measureEnd;
let warmupSeconds = 0;
const statuses = {};
let errors = 0;
let timeouts = 0;

const instance = autocannon(
  {
    url: options.url,
    method: options.method,
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    duration: maxWarmup + options.duration + 30,
    timeout: 10,
  },
  (error) => {
    if (error) {
      process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
      process.exit(1);
    }
    const seconds = ((measureEnd ?? performance.now()) - measureStart) / 1000;
    const sorted = latencies.subarray(0, count).sort();
    const at = (q) => (count ? sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))] : null);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += sorted[i];
    let non2xx = 0;
    for (const [status, n] of Object.entries(statuses)) if (status < 200 || status >= 300) non2xx += n;
    process.stdout.write(
      `${JSON.stringify({
        durationSeconds: seconds,
        warmupSeconds,
        ok: count,
        rps: count / seconds,
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: count ? sorted[count - 1] : null,
        mean: count ? sum / count : null,
        errors,
        timeouts,
        non2xx,
        statuses,
      })}\n`,
    );
  },
);

const startMeasuring = () => {
  measuring = true;
  measureStart = performance.now();
  setTimeout(() => {
    measureEnd = performance.now();
    instance.stop();
  }, options.duration * 1000);
};

if (measuring) {
  startMeasuring();
} else {
  let previous;
  const timer = setInterval(() => {
    warmupSeconds += warmupChunk;
    const ok = chunkOk;
    chunkOk = 0;
    const settled = previous && ok > 0 && Math.abs(ok - previous) <= 0.1 * Math.max(ok, previous);
    previous = ok;
    if ((settled && warmupSeconds >= minWarmup) || warmupSeconds >= maxWarmup) {
      clearInterval(timer);
      startMeasuring();
    }
  }, warmupChunk * 1000);
}

instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (!measuring) {
    if (statusCode >= 200 && statusCode < 300) chunkOk++;
    return;
  }
  if (measureEnd !== undefined) return;
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  if (statusCode < 200 || statusCode >= 300) return;
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = responseTime;
});

instance.on('reqError', (error) => {
  if (!measuring || measureEnd !== undefined) return;
  if (String(error?.message).includes('timed out')) timeouts++;
  else errors++;
});
