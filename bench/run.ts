// `npm run bench`: warm invoke, cold start and scale benchmarks in one run on this machine. The table goes to
// stdout and to bench/results/latest.{json,md}; progress goes to stderr.
//
// Options: --duration <s> (autocannon run, default 5) --warmup <s> (2) --connections 1,50 --repeats <n> (cold
// starts, 10) --functions <n> (scale, 1000) --invoke <n> (200) --warm-budget <s> (scale warm-up; default: what
// is left of 9 minutes, 30…150) --pool-repeats <n> (first calls from the pre-warmed pool, 20) --only
// warm,cold,pool,scale --scenarios <warm ids, e.g. direct,kumo-nodejs-http> --baseline <file> (the before/after table's "before"; default bench/results/latest.json as
// it was before this run) --quick (a short smoke run). Runs other than the default one write
// bench/results/partial.{json,md}.tmp instead of latest.{json,md}; a default run keeps the old latest.json as
// previous.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, progress } from './lib/util.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    repeats: { type: 'string' },
    functions: { type: 'string' },
    invoke: { type: 'string' },
    'warm-budget': { type: 'string' },
    only: { type: 'string' },
    'pool-repeats': { type: 'string' },
    scenarios: { type: 'string' },
    baseline: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});

// Bench-only dependencies (autocannon, serverless + serverless-offline, workerd) live in bench/node_modules.
if (!existsSync(join(BENCH_DIR, 'node_modules', 'autocannon', 'package.json'))) {
  progress('installing bench dependencies: npm --prefix bench ci');
  const result = spawnSync('npm', ['--prefix', BENCH_DIR, 'ci', '--no-audit', '--no-fund'], {
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) throw new Error(`npm --prefix bench ci failed with exit code ${result.status}`);
}

const { readBaseline } = await import('./lib/compare.js');
const { coldStart } = await import('./cold-start.js');
const { poolColdStart } = await import('./pool-cold-start.js');
const { startKumo } = await import('./lib/kumo.js');
const { MiB, meminfo } = await import('./lib/memory.js');
const { headline, renderMarkdown } = await import('./lib/report.js');
const { scale } = await import('./scale.js');
const { warmInvoke } = await import('./warm.js');
type BenchResults = import('./lib/report.js').BenchResults;

const quick = args.quick;
const num = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const only = new Set((args.only ?? 'warm,cold,pool,scale').split(',').map((s) => s.trim()));
const resultsDir = join(BENCH_DIR, 'results');
const latestJson = join(resultsDir, 'latest.json');
// Read before this run overwrites it: the previous round's figures, shown beside this run's.
const baseline = readBaseline(args.baseline ?? latestJson);
const partial = quick || Object.keys(args).some((key) => key !== 'quick' && key !== 'baseline');

function machine(sandbox: string): BenchResults['machine'] {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const python = spawnSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' });
  let commit = 'unknown';
  try {
    const cwd = join(BENCH_DIR, '..');
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'runtimes'], {
      cwd,
      encoding: 'utf8',
    });
    if (dirty.trim()) commit += ' (with uncommitted changes)';
  } catch {}
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: availableParallelism(),
    memoryGiB: totalmem() / 1024 / MiB,
    os: /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? process.platform,
    kernel: release(),
    node: process.version,
    python: (python.stdout || python.stderr || 'python3 missing').trim(),
    sandbox,
    kumoCommit: commit,
  };
}

const startedAt = new Date();
const t0 = performance.now();
const results: BenchResults = {
  startedAt: startedAt.toISOString(),
  durationSeconds: 0,
  command: partial ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench',
  machine: machine('unknown'),
  headline: {},
};

if (only.has('warm') || only.has('cold')) {
  const kumo = await startKumo();
  results.machine = machine(`${kumo.server.sandbox.kind}`);
  progress(`Kumo ${kumo.server.url}, sandbox ${kumo.server.sandbox.kind}`);
  try {
    if (only.has('warm')) {
      results.warm = await warmInvoke(kumo, {
        connections: (args.connections ?? '1,50').split(',').map(Number),
        only: args.scenarios?.split(',').map((s) => s.trim()),
        durationSeconds: num(args.duration, quick ? 1 : 5),
        warmupSeconds: num(args.warmup, quick ? 1 : 2),
        maxWarmupSeconds: quick ? 3 : 10,
        minManyWarmupSeconds: quick ? 0 : 20,
        maxManyWarmupSeconds: quick ? 3 : 30,
      });
    }
    if (only.has('cold')) results.cold = await coldStart(kumo, num(args.repeats, quick ? 3 : 10));
  } finally {
    await kumo.close();
  }
}

if (only.has('pool')) {
  try {
    results.pool = await poolColdStart(num(args['pool-repeats'], quick ? 3 : 20));
    if (results.machine.sandbox === 'unknown' && results.pool.sandbox)
      results.machine = machine(results.pool.sandbox);
  } catch (error) {
    progress(`pool failed: ${(error as Error).stack}`);
    results.pool = { prewarm: '', repeats: 0, rows: [], notes: [], skipped: (error as Error).message };
  }
}

if (only.has('scale')) {
  const { totalBytes } = meminfo();
  try {
    results.scale = await scale({
      functions: num(args.functions, quick ? 60 : 1000),
      invokeCount: num(args.invoke, quick ? 20 : 200),
      warmConcurrency: Math.max(2, availableParallelism() * 2),
      // What is left of a 7-minute run after the other sections and ~130 s for the rest of this one.
      warmBudgetSeconds: num(
        args['warm-budget'],
        quick ? 30 : Math.round(Math.max(30, Math.min(150, 540 - (performance.now() - t0) / 1000 - 130))),
      ),
      memoryReserveBytes: Math.max(1024 * MiB, totalBytes * 0.2),
    });
    if (results.machine.sandbox === 'unknown') results.machine = machine(results.scale.sandbox);
  } catch (error) {
    progress(`scale failed: ${(error as Error).stack}`);
    results.scale = { error: (error as Error).message };
  }
}

results.durationSeconds = (performance.now() - t0) / 1000;
results.headline = headline(results);
const markdown = renderMarkdown(results, baseline);
const dir = resultsDir;
mkdirSync(dir, { recursive: true });
const [json, md] = partial
  ? [join(dir, 'partial.json.tmp'), join(dir, 'partial.md.tmp')]
  : [latestJson, join(dir, 'latest.md')];
if (!partial && existsSync(latestJson)) copyFileSync(latestJson, join(dir, 'previous.json'));
writeFileSync(`${json}.writing`, `${JSON.stringify(results, null, 2)}\n`);
renameSync(`${json}.writing`, json);
writeFileSync(md, markdown);
process.stdout.write(`\n${markdown}`);
progress(`done in ${results.durationSeconds.toFixed(0)} s; wrote ${json} and ${md}`);
