// The time of a `GET /metrics` scrape with many functions deployed, each invoked once, beside the scrape of the
// same server before any function existed (the baseline: process metrics and empty families only):
//   npm run build && node --import tsx bench/metrics-scrape.ts [--functions 1000] [--scrapes 30] [--concurrency 6]
// Kumo runs in-process (like the other benches); curl scrapes it from outside. Instances are reaped after 1 s idle and capped at 30, so a
// thousand cold starts fit on a small machine; the figure is the scrape, not the calls.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { deployFunction, ensureService, invokeOnce, startKumo } from './lib/kumo.js';
import { progress, type Summary, summarize } from './lib/util.js';

const { values: args } = parseArgs({
  options: {
    functions: { type: 'string', default: '1000' },
    scrapes: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '6' },
  },
});
const FUNCTIONS = Number(args.functions);
const SCRAPES = Number(args.scrapes);
const CONCURRENCY = Number(args.concurrency);
const PER_SERVICE = 100;
const run = promisify(execFile);

/** Runs `task(i)` for i in 0..count-1, `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Scrape {
  ms: Summary;
  bytes: number;
  lines: number;
}

/**
 * Scrapes over HTTP as Prometheus does, one after another, from another process (curl's own `time_total`: the
 * scraper's reading of the body is not charged to Kumo's event loop); the first (warm-up) is not counted.
 */
async function scrape(url: string): Promise<Scrape> {
  const samples: number[] = [];
  for (let i = 0; i <= SCRAPES; i++) {
    const { stdout } = await run('curl', ['-sf', '-o', '/dev/null', '-w', '%{time_total}', `${url}/metrics`]);
    if (i > 0) samples.push(Number(stdout) * 1000);
  }
  const text = await (await fetch(`${url}/metrics`)).text();
  return { ms: summarize(samples), bytes: Buffer.byteLength(text), lines: text.split('\n').length };
}

const kumo = await startKumo({ instanceIdleMs: 1000, maxInstances: 30 });
try {
  progress(`sandbox ${kumo.server.sandbox.kind}; scraping the empty server`);
  const empty = await scrape(kumo.server.url);

  progress(`deploying ${FUNCTIONS} functions`);
  const name = (i: number) => ({ service: `metrics-${Math.floor(i / PER_SERVICE)}`, fn: `fn-${i}` });
  for (let s = 0; s * PER_SERVICE < FUNCTIONS; s++) await ensureService(kumo.client, `metrics-${s}`);
  await pool(FUNCTIONS, 8, async (i) => {
    const { service, fn } = name(i);
    await deployFunction(kumo.client, {
      service,
      name: fn,
      runtime: 'nodejs20',
      handler: 'index.handler',
      fixture: 'hello-node',
    });
  });
  progress(`invoking each once (${CONCURRENCY} at a time; instances reaped after 1 s idle)`);
  const invokeStarted = performance.now();
  await pool(FUNCTIONS, CONCURRENCY, async (i) => {
    const { service, fn } = name(i);
    await invokeOnce(kumo.client, service, fn);
    if ((i + 1) % 100 === 0) progress(`  ${i + 1} invoked`);
  });
  const invokeSeconds = (performance.now() - invokeStarted) / 1000;

  progress('scraping with every function invoked');
  const full = await scrape(kumo.server.url);
  const text = await (await fetch(`${kumo.server.url}/metrics`)).text();
  const counted = text.match(/^kumo_invocations_total\{.*outcome="success"\} 1$/gm)?.length ?? 0;
  if (counted !== FUNCTIONS)
    throw new Error(`expected ${FUNCTIONS} invocation counters at 1, found ${counted}`);

  const inProcess: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    await kumo.server.health.metrics.text();
    inProcess.push(performance.now() - started);
  }
  const fmt = (n: number) => n.toFixed(2);
  const row = (what: string, s: Scrape) =>
    `| ${what} | ${fmt(s.ms.median)} | ${fmt(s.ms.p90)} | ${fmt(s.ms.max)} | ${(s.bytes / 1024).toFixed(0)} KiB | ${s.lines} |`;
  console.log(`\nGET /metrics, ${SCRAPES} scrapes each (ms), sandbox ${kumo.server.sandbox.kind}\n`);
  console.log('| server | median | p90 | max | body | lines |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('empty (baseline)', empty));
  console.log(row(`${FUNCTIONS} functions, each invoked once`, full));
  const inside = summarize(inProcess);
  console.log(
    `\nregistry.metrics() alone with ${FUNCTIONS} functions: median ${fmt(inside.median)} ms, p90 ${fmt(inside.p90)} ms`,
  );
  console.log(
    `ratio to the baseline (median): ${(full.ms.median / empty.ms.median).toFixed(1)}x; ` +
      `${FUNCTIONS} cold calls took ${invokeSeconds.toFixed(0)} s`,
  );
} finally {
  await kumo.close();
}
