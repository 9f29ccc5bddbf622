import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type CgroupLayout, killAndRemove, parentDirs, read } from './cgroup-hierarchy.js';
import { SandboxError } from './errors.js';

export {
  type CgroupLayout,
  detectCgroupLayout,
  ensureCgroupParent,
  killAndRemove,
  removeStaleCgroups,
} from './cgroup-hierarchy.js';

export interface CgroupLimits {
  memoryBytes: number;
  pidsMax: number;
  /** CFS bandwidth: `quotaUs` of CPU time per `periodUs` (v2 `cpu.max`, v1 `cpu.cfs_*_us`). */
  cpu: { quotaUs: number; periodUs: number };
}

/** The CFS period; the quota is the instance's vCPUs times this. */
export const CPU_PERIOD_US = 100_000;

/**
 * vCPUs for an instance of `memoryMb`: FC sizes CPU with memory, at a vCPU:GB ratio between 1:1 and 1:4 in steps
 * of 0.05 vCPU; Kumo gives the most FC allows (1 vCPU per GB), never less than `MIN_VCPUS` (at FC's 0.125 vCPU
 * for 128 MB a Node.js cold start takes three times as long) and never more than the host has. `requested` (a
 * function's `cpu`) wins when set.
 */
export function vcpusFor(memoryMb: number, hostCores: number, requested?: number): number {
  const wanted = requested ?? Math.max(MIN_VCPUS, Math.ceil((memoryMb / 1024) * 20) / 20);
  return Math.min(Math.max(wanted, 0.05), hostCores);
}
export const MIN_VCPUS = 0.5;

function readKeyed(path: string, key: string): number {
  const line = read(path)
    .split('\n')
    .find((l) => l.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) : 0;
}

function readNumber(path: string): number {
  const text = read(path).trim();
  return text === 'max' ? Number.POSITIVE_INFINITY : Number(text);
}

/** Writes `value` to a cgroup file if that file exists (optional knobs such as memsw or swap.max). */
function writeIfPresent(path: string, value: string): void {
  if (existsSync(path)) writeFileSync(path, value);
}

/** One instance's cgroup (one dir on v2, a memory and a pids dir on v1). */
export class InstanceCgroup {
  /** `cgroup.procs` files a process must write its pid to, to join. */
  readonly procsFiles: string[];
  readonly #memoryDir: string;
  readonly #oomAtStart: number;
  #peakFd: number | undefined;
  #sampledPeak: number | undefined;
  #sampler: NodeJS.Timeout | undefined;
  #finalPeak: number | undefined;
  readonly #layout: CgroupLayout;
  readonly #dirs: string[];

  private constructor(layout: CgroupLayout, dirs: string[]) {
    this.#layout = layout;
    this.#dirs = dirs;
    this.#memoryDir = dirs[0] ?? '';
    this.procsFiles = dirs.map((dir) => join(dir, 'cgroup.procs'));
    this.#oomAtStart = this.#oomKills();
  }

  static create(layout: CgroupLayout, parent: string, name: string, limits: CgroupLimits): InstanceCgroup {
    const dirs = parentDirs(layout, parent).map((dir) => join(dir, name));
    const created: string[] = [];
    try {
      for (const dir of dirs) {
        mkdirSync(dir);
        created.push(dir);
      }
      writeLimits(layout, dirs, limits);
      return new InstanceCgroup(layout, dirs);
    } catch (error) {
      for (const dir of created.reverse()) {
        try {
          rmdirSync(dir);
        } catch {}
      }
      throw new SandboxError(`cannot create cgroup ${dirs.join(' + ')}: ${(error as Error).message}`);
    }
  }

  /** Sets new limits (a pre-warmed instance takes its function's when specialised). */
  setLimits(limits: CgroupLimits): void {
    writeLimits(this.#layout, this.#dirs, limits);
  }

  /** OOM kills in this cgroup since it was created. */
  oomKillsSinceStart(): number {
    return this.#oomKills() - this.#oomAtStart;
  }

  #oomKills(): number {
    try {
      return this.#layout.version === 1
        ? readKeyed(join(this.#memoryDir, 'memory.oom_control'), 'oom_kill')
        : readKeyed(join(this.#memoryDir, 'memory.events'), 'oom_kill');
    } catch {
      return 0;
    }
  }

  /** Peak memory use of the cgroup since creation or the last `resetPeak()`. */
  peakBytes(): number {
    if (this.#finalPeak !== undefined) return this.#finalPeak;
    try {
      // v1 reads and resets through one fd kept open: this runs twice per call, on the invoke hot path.
      if (this.#layout.version === 1)
        this.#peakFd ??= openSync(join(this.#memoryDir, 'memory.max_usage_in_bytes'), 'r+');
      if (this.#peakFd !== undefined) {
        const buffer = Buffer.alloc(32);
        return Number(buffer.toString('utf8', 0, readSync(this.#peakFd, buffer, 0, 32, 0)).trim());
      }
      if (this.#sampledPeak !== undefined) return this.#sample();
      return readNumber(join(this.#memoryDir, 'memory.peak'));
    } catch {
      return this.#sampledPeak ?? 0;
    }
  }

  /**
   * v1: writes 0 to `memory.max_usage_in_bytes`. v2: writes to an fd of `memory.peak` (kernel ≥ 6.12 resets the
   * peak seen through that fd); older kernels fall back to sampling `memory.current` every 100 ms.
   */
  resetPeak(): void {
    if (this.#finalPeak !== undefined) return;
    if (this.#layout.version === 1) {
      this.#peakFd ??= openSync(join(this.#memoryDir, 'memory.max_usage_in_bytes'), 'r+');
      writeSync(this.#peakFd, '0', 0);
      return;
    }
    try {
      this.#peakFd ??= openSync(join(this.#memoryDir, 'memory.peak'), 'r+');
      writeSync(this.#peakFd, 'reset\n');
    } catch {
      if (this.#peakFd !== undefined) closeSync(this.#peakFd);
      this.#peakFd = undefined;
      this.#sampledPeak = 0;
      this.#sample();
      this.#sampler ??= setInterval(() => this.#sample(), 100).unref();
    }
  }

  #sample(): number {
    try {
      const current = readNumber(join(this.#memoryDir, 'memory.current'));
      this.#sampledPeak = Math.max(this.#sampledPeak ?? 0, current);
    } catch {}
    return this.#sampledPeak ?? 0;
  }

  /** SIGKILLs every process in the cgroup and waits until it is empty. */
  async kill(): Promise<void> {
    await killAndRemove(this.#dirs, { remove: false });
  }

  /** Kills what is left and removes the dirs; the last peak stays readable. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.#finalPeak === undefined) this.#finalPeak = this.peakBytes();
    if (this.#sampler) clearInterval(this.#sampler);
    if (this.#peakFd !== undefined) closeSync(this.#peakFd);
    this.#sampler = undefined;
    this.#peakFd = undefined;
    await killAndRemove(this.#dirs);
  }
}

function writeLimits(layout: CgroupLayout, dirs: string[], limits: CgroupLimits): void {
  const [memoryDir = '', pidsDir = memoryDir] = dirs;
  const bytes = String(limits.memoryBytes);
  if (layout.version === 1) {
    // memsw must stay ≥ the limit: raised first when the limit grows (fails harmlessly when it shrinks).
    try {
      writeIfPresent(join(memoryDir, 'memory.memsw.limit_in_bytes'), bytes);
    } catch {}
    writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), bytes);
    writeIfPresent(join(memoryDir, 'memory.memsw.limit_in_bytes'), bytes);
  } else {
    writeFileSync(join(memoryDir, 'memory.max'), bytes);
    writeIfPresent(join(memoryDir, 'memory.swap.max'), '0');
  }
  writeFileSync(join(pidsDir, 'pids.max'), String(limits.pidsMax));
  const { quotaUs, periodUs } = limits.cpu;
  if (layout.version === 2 && layout.cpu)
    writeIfPresent(join(memoryDir, 'cpu.max'), `${quotaUs} ${periodUs}`);
  if (layout.version === 1 && layout.cpu) {
    writeFileSync(join(dirs[2] ?? '', 'cpu.cfs_period_us'), String(periodUs));
    writeFileSync(join(dirs[2] ?? '', 'cpu.cfs_quota_us'), String(quotaUs));
  }
}
