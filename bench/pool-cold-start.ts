// Pool cold start: the first call to a new function when its runtime has a pre-warmed pool (config `prewarm`,
// docs/prewarm.md), beside a warm call to it, a bare process start and the cold start without a pool (the
// `cold` section's rows). Part of `npm run bench` (bench/run.ts); alone: `node --import tsx bench/run.ts --only pool`.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CompositeSandbox, PrewarmSandbox, type PrewarmStats, type Sandbox } from '../src/sandbox/index.js';
import { deployFunction, startKumo, timeFirstTwoCalls } from './lib/kumo.js';
import { progress, type Summary, summarize } from './lib/util.js';

/** The runtimes measured, with the pool size each gets. */
export const POOL_RUNTIMES = [
  { runtime: 'nodejs20', fixture: 'hello-node', bare: [process.execPath, '-e', '0'] },
  { runtime: 'python3.10', fixture: 'hello-python', bare: ['/usr/bin/python3', '-c', '0'] },
] as const;
const POOL_SIZE = 2;

export interface PoolRow {
  runtime: string;
  /** First call of a fresh function, served by a pre-warmed instance, ms. */
  first: Summary;
  /** The second call, to the same instance, ms. */
  warm: Summary;
  /** A bare start of the runtime's interpreter (`node -e 0`, `python3 -c 0`), ms. */
  bare: Summary;
  /** Starts the pool served, and starts that found it empty or failed to specialise (then started as usual). */
  takes: number;
  misses: number;
}

export interface PoolResult {
  prewarm: string;
  sandbox?: string;
  repeats: number;
  rows: PoolRow[];
  /** Why the pool section did not run (e.g. no bwrap sandbox here). */
  skipped?: string;
  notes: string[];
}

function prewarmSandbox(sandbox: Sandbox): PrewarmSandbox | undefined {
  const processes = sandbox instanceof CompositeSandbox ? sandbox.processes : sandbox;
  return processes instanceof PrewarmSandbox ? processes : undefined;
}

function bare(repeats: number, [command, ...args]: readonly string[]): number[] {
  spawnSync(command as string, args); // once unmeasured: the binary in the page cache
  return Array.from({ length: repeats }, () => {
    const started = performance.now();
    spawnSync(command as string, args);
    return performance.now() - started;
  });
}

/** Waits until every pool is full again (a taken instance is replaced in the background). */
async function refilled(pools: PrewarmSandbox, timeoutMs = 30_000): Promise<PrewarmStats[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = pools.stats();
    if (stats.every((s) => s.ready >= POOL_SIZE) || Date.now() > deadline) return stats;
    await sleep(20);
  }
}

export async function poolColdStart(repeats: number): Promise<PoolResult> {
  const prewarm = POOL_RUNTIMES.map((r) => `${r.runtime}=${POOL_SIZE}`).join(',');
  const notes = [
    `A Kumo of its own with \`prewarm: '${prewarm}'\`. Before each first call the bench waits until the pools are ` +
      'full again (a taken instance is replaced in the background), so each first call can find a ready one; ' +
      '"takes / misses" counts the starts the pool served and those it could not (started as usual).',
    'First call: a signed invoke of a function created just before (not timed). Warm: the second call. Bare: ' +
      'the interpreter started and exiting with nothing to do. "Without a pool": the cold section\'s row.',
  ];
  const kumo = await startKumo({ prewarm });
  try {
    const sandbox = kumo.server.sandbox.kind;
    const pools = prewarmSandbox(kumo.server.sandbox);
    if (!pools || pools.stats().length === 0) {
      return { prewarm, sandbox, repeats, rows: [], notes, skipped: kumo.server.sandbox.reason };
    }
    const rows: PoolRow[] = [];
    let sequence = 0;
    for (const { runtime, fixture, bare: bareCommand } of POOL_RUNTIMES) {
      progress(`pool: ${runtime}, ${repeats} fresh functions from the pre-warmed pool`);
      const before = pools.stats().find((s) => s.runtime === runtime);
      const first: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const name = `pool_${runtime.replace(/[^a-z0-9]/g, '_')}_${sequence++}`;
        await deployFunction(kumo.client, {
          service: 'pool',
          name,
          runtime,
          handler: 'index.handler',
          fixture,
        });
        await refilled(pools);
        const timed = await timeFirstTwoCalls(kumo.client, 'pool', name);
        first.push(timed.first);
        warm.push(timed.warm);
      }
      const after = pools.stats().find((s) => s.runtime === runtime);
      rows.push({
        runtime,
        first: summarize(first),
        warm: summarize(warm),
        bare: summarize(bare(repeats, bareCommand)),
        takes: (after?.takes ?? 0) - (before?.takes ?? 0),
        misses: (after?.misses ?? 0) - (before?.misses ?? 0),
      });
    }
    return { prewarm, sandbox, repeats, rows, notes };
  } finally {
    await kumo.close();
  }
}
