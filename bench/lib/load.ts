import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR } from './util.js';

/** One HTTP request, replayed as is by every autocannon connection. */
export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  connections: number;
  /** Seconds of discarded warm-up load before the measured window, on the same connections. */
  warmupSeconds: number;
  /** The measured window. */
  durationSeconds: number;
  /** 2xx responses. */
  ok: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statuses: Record<string, number>;
}

/** Sends `target` once and checks it answers 2xx with `expect` in the body (before any timed run). */
export async function checkTarget(target: Target, expect: string): Promise<void> {
  const response = await fetch(target.url, {
    method: target.method,
    headers: target.headers,
    body: target.body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status >= 300 || !text.includes(expect)) {
    throw new Error(`${target.method} ${target.url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
}

/**
 * Runs autocannon in a child process with `connections` connections: a warm-up of `warmup.chunkSeconds` windows
 * until two in a row agree within 10 % (at most `warmup.maxSeconds`), then `durationSeconds` measured.
 */
export async function runLoad(
  target: Target,
  connections: number,
  durationSeconds: number,
  warmup: { chunkSeconds: number; minSeconds?: number; maxSeconds: number } = {
    chunkSeconds: 0,
    maxSeconds: 0,
  },
): Promise<LoadResult> {
  const options = JSON.stringify({
    ...target,
    connections,
    duration: durationSeconds,
    warmupChunk: warmup.chunkSeconds,
    minWarmup: warmup.minSeconds ?? 0,
    maxWarmup: warmup.maxSeconds,
  });
  const child = spawn(process.execPath, [join(BENCH_DIR, 'lib', 'autocannon-child.mjs'), options], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = stdout.trim().split('\n').pop() ?? '';
  let parsed: (LoadResult & { error?: string }) | undefined;
  try {
    parsed = JSON.parse(line) as LoadResult & { error?: string };
  } catch {}
  if (code !== 0 || !parsed || parsed.error) {
    throw new Error(`autocannon failed (exit ${code}): ${parsed?.error ?? stderr ?? stdout}`);
  }
  // No 2xx response at all: the child reports null percentiles.
  for (const key of ['p50', 'p90', 'p99', 'max', 'mean'] as const) parsed[key] ??= Number.NaN;
  return { ...parsed, connections };
}
