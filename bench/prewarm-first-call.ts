// A new function's first call served from the pre-warmed pool (docs/prewarm.md), beside the same first call on a
// server without pools (a cold start), the warm second call, and a bare `node -e 0` / `python3 -c 0` / `php -r 0`
// (go1: `node -e 0`, the bridge's interpreter; the executable is bench/fixtures/hello-go, built once) / `java
// -version` (java8/java11: bench/fixtures/hello-java compiled first, as bench/java-cold-start.ts does).
// Each sample: a function created just before (not timed), its first call timed, then its second (warm). With the
// pool, each sample waits (untimed) until the pool is refilled, as after any quiet moment.
//   node --import tsx bench/prewarm-first-call.ts [--repeats 20] [--runtimes nodejs20,python3.10,php7.2,go1,java11] [--json]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { zipDirectory } from '../src/code/index.js';
import { CompositeSandbox, PrewarmSandbox } from '../src/sandbox/index.js';
import { goHelloZip } from './lib/go.js';
import { deployFunction, type Kumo, startKumo, timeFirstTwoCalls } from './lib/kumo.js';
import { BENCH_DIR, formatMs, progress, type Summary, summarize } from './lib/util.js';

const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const REPEATS = Number(flag('--repeats') ?? 20);
const RUNTIMES = (flag('--runtimes') ?? 'nodejs20,python3.10').split(',');
const FIXTURES: Record<string, string> = { node: 'hello-node', python: 'hello-python', php: 'hello-php' };
const goZip = RUNTIMES.includes('go1') ? await goHelloZip() : '';
const isJava = (runtime: string) => runtime.startsWith('java');

/** bench/fixtures/hello-java compiled against fc-java-core and zipped (undefined when no java runtime is asked). */
async function javaHello(): Promise<string | undefined> {
  if (!RUNTIMES.some(isJava)) return undefined;
  const code = mkdtempSync(join(tmpdir(), 'kumo-prewarm-bench-'));
  try {
    const core = new URL('../runtimes/java/target/lib/fc-java-core.jar', import.meta.url).pathname;
    const source = join(BENCH_DIR, 'fixtures/hello-java/example/Hello.java');
    execFileSync('javac', ['--release', '11', '-cp', core, '-d', code, source]);
    return (await zipDirectory(code)).toString('base64');
  } finally {
    rmSync(code, { recursive: true, force: true });
  }
}
const JAVA_ZIP = await javaHello();

export interface PrewarmRow {
  runtime: string;
  bare: Summary;
  /** First call of a new function, served from the pool. */
  pooled: Summary;
  /** First call of a new function on a server without pools. */
  cold: Summary;
  /** Second call (warm instance). */
  warm: Summary;
  /** Pool takes / first calls measured (1 when every pooled sample came from the pool). */
  takeRate: number;
}

function bare(runtime: string): number[] {
  const [command, args] = runtime.startsWith('python')
    ? ['/usr/bin/python3', ['-c', '0']]
    : runtime.startsWith('php')
      ? ['/usr/bin/php', ['-r', '0']]
      : isJava(runtime)
        ? ['/usr/bin/java', ['-version']]
        : [process.execPath, ['-e', '0']];
  spawnSync(command, args);
  return Array.from({ length: REPEATS }, () => {
    const started = performance.now();
    spawnSync(command, args);
    return performance.now() - started;
  });
}

function pools(kumo: Kumo): PrewarmSandbox | undefined {
  const { sandbox } = kumo.server;
  const processes = sandbox instanceof CompositeSandbox ? sandbox.processes : sandbox;
  return processes instanceof PrewarmSandbox ? processes : undefined;
}

async function poolFull(kumo: Kumo, runtime: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const stats = pools(kumo)
      ?.stats()
      .find((s) => s.runtime === runtime);
    if (!stats) throw new Error(`no ${runtime} pool: the pool needs the bwrap sandbox as root`);
    if (stats.ready >= 1 && stats.starting === 0) return;
    await sleep(20);
  }
  throw new Error(`the ${runtime} pool did not refill within 60 s`);
}

/** Creates a hello function of `runtime` (not timed). */
async function deploy(kumo: Kumo, runtime: string, name: string): Promise<void> {
  // go1 and Java: a built package (the executable, compiled classes) instead of a fixture folder as is.
  const built = runtime === 'go1' ? { handler: 'main', zipFile: goZip } : undefined;
  const compiled = isJava(runtime)
    ? { handler: 'example.Hello::handleRequest', zipFile: JAVA_ZIP }
    : undefined;
  const pkg = built ?? compiled;
  if (pkg) {
    await deployFunction(kumo.client, { service: 'prewarm', name, runtime, fixture: '', ...pkg });
    return;
  }
  const fixture = Object.entries(FIXTURES).find(([prefix]) => runtime.startsWith(prefix))?.[1] ?? '';
  await deployFunction(kumo.client, { service: 'prewarm', name, runtime, handler: 'index.handler', fixture });
}

let sequence = 0;
async function firstCalls(kumo: Kumo, runtime: string, pooled: boolean) {
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    if (pooled) await poolFull(kumo, runtime);
    const name = `pw_${runtime.replace(/[^a-z0-9]/g, '_')}_${sequence++}`;
    await deploy(kumo, runtime, name);
    const timed = await timeFirstTwoCalls(kumo.client, 'prewarm', name);
    if (!timed.answer.includes('world'))
      throw new Error(`${runtime} answered ${JSON.stringify(timed.answer)}`);
    first.push(timed.first);
    warm.push(timed.warm);
  }
  return { first, warm };
}

const rows: PrewarmRow[] = [];
const withPool = await startKumo({ prewarm: RUNTIMES.map((r) => `${r}=1`).join(',') });
const without = await startKumo({ prewarm: '' });
try {
  for (const runtime of RUNTIMES) {
    progress(`prewarm: ${runtime}, ${REPEATS} new functions with and without the pool`);
    const before =
      pools(withPool)
        ?.stats()
        .find((s) => s.runtime === runtime)?.takes ?? 0;
    const pooled = await firstCalls(withPool, runtime, true);
    const takes =
      (pools(withPool)
        ?.stats()
        .find((s) => s.runtime === runtime)?.takes ?? 0) - before;
    const cold = await firstCalls(without, runtime, false);
    rows.push({
      runtime,
      bare: summarize(bare(runtime)),
      pooled: summarize(pooled.first),
      cold: summarize(cold.first),
      warm: summarize([...pooled.warm, ...cold.warm]),
      takeRate: takes / REPEATS,
    });
  }
} finally {
  await withPool.close();
  await without.close();
}

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ repeats: REPEATS, rows }, null, 2)}\n`);
} else {
  const lines = [
    `New function's first call, ${REPEATS} samples each, sandbox ${withPool.server.sandbox.kind}`,
    '',
    '| runtime | bare start p50 | pooled first call p50 / p99 | pool − warm (p50) | cold first call p50 / p99 | warm p50 / p99 | from pool |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.runtime} | ${formatMs(r.bare.median)} | ${formatMs(r.pooled.median)} / ${formatMs(r.pooled.p99)} | ` +
        `${formatMs(r.pooled.median - r.warm.median)} | ${formatMs(r.cold.median)} / ${formatMs(r.cold.p99)} | ` +
        `${formatMs(r.warm.median)} / ${formatMs(r.warm.p99)} | ${Math.round(r.takeRate * 100)} % |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
