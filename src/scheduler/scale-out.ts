import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * How saturated the CPU that serves calls is (0…1) over the recent past: the host's cores, or Kumo's own thread,
 * whichever is busier.
 */
export interface CpuSignal {
  busyShare(): number;
  /** The newest sample alone (default: `busyShare()`): a burst shows there before it moves the average. */
  latestShare?(): number;
}

/** The share of the time Kumo's event loop was busy since the previous call (the first: since it started). */
export function eventLoopSampler(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

/**
 * Reads the first line of `/proc/stat` at most once per `minIntervalMs` (lazily, when asked) and answers the busy
 * share between the last two reads, or the event loop's utilisation over the same interval when it is higher:
 * when Kumo's own thread is the bottleneck (every call passes through it), another instance adds no throughput
 * although the host's cores still have room. Where `/proc/stat` cannot be read (not Linux) the host counts as
 * busy, so the instance-count rule of `ScaleOutPolicy` alone decides. The answer is a moving average of the
 * samples: one 50 ms dip of a saturated host (a GC pause, a log flush) is not room for another instance.
 */
export class ProcStatCpu implements CpuSignal {
  #at = Number.NEGATIVE_INFINITY;
  #busy = 0;
  #total = 0;
  #share = 0;
  #latest = 0;
  #unreadable = false;

  constructor(
    readonly minIntervalMs = 50,
    readonly now: () => number = () => performance.now(),
    readonly readStat: () => string = () => readFileSync('/proc/stat', 'latin1'),
    readonly sampleLoop: () => number = eventLoopSampler(),
  ) {
    this.#sample(); // the first interval starts now, not at the first question
  }

  busyShare(): number {
    const now = this.now();
    if (now - this.#at >= this.minIntervalMs) {
      this.#at = now;
      this.#latest = Math.max(this.#sample(), this.sampleLoop());
      this.#share += SAMPLE_WEIGHT * (this.#latest - this.#share);
    }
    return this.#unreadable ? 1 : this.#share;
  }

  latestShare(): number {
    this.busyShare();
    return this.#unreadable ? 1 : this.#latest;
  }

  #sample(): number {
    let fields: number[] = [];
    try {
      fields = (/^cpu\s+([\d ]+)/.exec(this.readStat())?.[1] ?? '').trim().split(/\s+/).map(Number);
    } catch {}
    this.#unreadable = fields.length < 4 || fields.some(Number.isNaN);
    if (this.#unreadable) return 1;
    // user nice system idle iowait irq softirq steal …: idle and iowait are the time no task wanted the CPU.
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
    const elapsed = total - this.#total;
    const share = this.#total > 0 && elapsed > 0 ? (busy - this.#busy) / elapsed : this.#share;
    this.#busy = busy;
    this.#total = total;
    return share;
  }
}

/** Weight of the newest sample in ProcStatCpu's moving average (a time constant of about 4 samples). */
const SAMPLE_WEIGHT = 0.25;

/** A host at least this busy is saturated: one more process only slows every other one down. */
export const CPU_BUSY_SHARE = 0.85;
/**
 * Once starts fill the cores, they go on waiting for each other until the CPU is clearly below saturation: with one
 * threshold, a signal hovering at it let every held call whose hold had run out start at once.
 */
export const CPU_ROOM_SHARE = 0.7;
/** A held call waits at most this multiple of the pool's recent call duration… */
export const HOLD_FACTOR = 50;
/** …and at least this long (a call of a few µs would otherwise never be waited for). */
export const MIN_HOLD_MS = 2;
/** Starts begun within this long have not shown in a CPU sample yet (two sampling intervals). */
const UNSEEN_START_MS = 100;
/** Weight of the newest call duration in the pool's moving average. */
const EWMA_WEIGHT = 0.1;

/**
 * CPU-aware scale-out (docs/scaling.md). A call that finds no free slot would get a start permit; when the
 * host's cores are already taken (busy instances plus starts under way ≥ cores, and the host CPU saturated, or
 * as many starts under way as cores), a new process only competes for the same cores with a cold JIT. Such a
 * call first waits for a slot of the pool's instances to free: at most `HOLD_FACTOR` × the pool's recent call
 * duration, within [`MIN_HOLD_MS`, `maxHoldMs`] (and the scheduler also bounds it by the call's own wait budget);
 * when the wait ends without a slot, the start is granted. A pool with no instance of the revision yet never
 * waits, nor does any pool while the CPU has room (I/O-bound functions: their busy instances do not load it).
 */
export class ScaleOutPolicy {
  /** Instances with at least one call in flight, in every pool. */
  #busyInstances = 0;
  /** Moving average of the calls' durations per pool, ms. */
  readonly #durations = new Map<string, number>();
  /** When the last start was granted (`now()`). */
  #lastStartAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** Upper bound of a wait; 0 turns the policy off (a start whenever the limits allow it). */
    readonly maxHoldMs: number,
    readonly cpu: CpuSignal = new ProcStatCpu(),
    readonly cores: number = availableParallelism(),
    readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.maxHoldMs > 0;
  }

  get busyInstances(): number {
    return this.#busyInstances;
  }

  /** A start was granted. */
  startBegan(): void {
    this.#lastStartAt = this.now();
  }

  /** An instance took its first call in flight. */
  instanceBusy(): void {
    this.#busyInstances++;
  }

  /** An instance finished its last call in flight. */
  instanceIdle(): void {
    this.#busyInstances--;
  }

  /** A call of the pool held its slot for `durationMs`. */
  callEnded(poolKey: string, durationMs: number): void {
    const average = this.#durations.get(poolKey);
    this.#durations.set(
      poolKey,
      average === undefined ? durationMs : average + EWMA_WEIGHT * (durationMs - average),
    );
  }

  /** The pool has no instance left: its history goes. */
  forget(poolKey: string): void {
    this.#durations.delete(poolKey);
  }

  /**
   * How long a call without a free slot should wait for one before it may start an instance; 0: start now.
   * `hasInstance`: whether the pool has an instance of the call's revision (ready or starting); `starting`: starts
   * under way on the whole host. Asked once per call; `startsSaturate` is asked on every turn after.
   */
  holdMs(poolKey: string, hasInstance: () => boolean, starting: number): number {
    if (!this.enabled || this.#busyInstances + starting < this.cores || !hasInstance()) return 0;
    // Saturated: another instance adds no throughput, only the bound on a call's wait is a reason to start one.
    // (A multiple of the call duration here let every wait longer than 50 short calls, common on a saturated
    // front, start one more instance, up to the cap over a long enough load.)
    if (this.cpu.busyShare() >= CPU_BUSY_SHARE) return this.maxHoldMs;
    // Room: start now, unless as many starts are under way as cores (the CPU is theirs whatever the last sample
    // says, which may predate them): then wait a multiple of the call duration.
    if (starting < this.cores) return 0;
    const recent = this.#durations.get(poolKey);
    if (recent === undefined) return this.maxHoldMs;
    return Math.min(this.maxHoldMs, Math.max(MIN_HOLD_MS, HOLD_FACTOR * recent));
  }

  /**
   * As many starts are under way as cores, and the CPU is saturated (at least `CPU_ROOM_SHARE` busy in the newest
   * sample or on average) or a start began too recently for a sample to show it: a call whose hold ran out still
   * waits, for a start to end (or a slot to free), within its own wait budget. More starts at once would not end any sooner
   * in all (they share the same cores), and they slow down every instance already running.
   */
  startsSaturate(starting: number): boolean {
    if (!this.enabled || starting < this.cores) return false;
    // Starts the samples have not seen yet: the CPU is theirs, whatever an older sample says.
    if (this.now() - this.#lastStartAt < UNSEEN_START_MS) return true;
    const latest = this.cpu.latestShare?.() ?? this.cpu.busyShare();
    return Math.max(latest, this.cpu.busyShare()) >= CPU_ROOM_SHARE;
  }
}
