import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** pids of `root` and all its descendants that are still its descendants (orphans re-parented away are lost). */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const queue = [root];
  while (queue.length > 0 && seen.length < 4096) {
    const pid = queue.shift() ?? 0;
    seen.push(pid);
    queue.push(...children(pid));
  }
  return seen;
}

function highWaterMark(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Approximate peak memory of a process tree without cgroups: the largest sum of the processes' `VmHWM` (peak
 * RSS) seen by a sampler running every `intervalMs` while the tree lives. A reset writes `5` to each process's
 * `/proc/PID/clear_refs`, which sets its VmHWM back to its current RSS. Short-lived children between samples
 * may be missed; summing per-process peaks can overstate the true simultaneous peak.
 */
export class TreeMemorySampler {
  #peak = 0;
  #stopped = false;
  readonly #timer: NodeJS.Timeout;
  readonly #root: number;

  constructor(root: number, intervalMs = 100) {
    this.#root = root;
    this.#timer = setInterval(() => this.sample(), intervalMs).unref();
    this.sample();
  }

  sample(): number {
    if (this.#stopped) return this.#peak;
    const total = processTree(this.#root).reduce((sum, pid) => sum + highWaterMark(pid), 0);
    this.#peak = Math.max(this.#peak, total);
    return this.#peak;
  }

  reset(): void {
    if (this.#stopped) return;
    for (const pid of processTree(this.#root)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {}
    }
    this.#peak = 0;
    this.sample();
  }

  /** Takes a last sample and stops; the peak stays readable. */
  stop(): void {
    this.sample();
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
