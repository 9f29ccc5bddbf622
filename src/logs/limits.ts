/** What one instance may write to its log; see docs/security/limits.md. */
export interface LogLimits {
  /** Longest line kept, in bytes (FC's single-line limit is 32 KB); a longer line is cut and marked. */
  lineBytes: number;
  /** Sustained log output of one instance, in bytes per second; above it lines are dropped and counted. */
  instanceBytesPerSecond: number;
  /** Output one instance may write at once above the sustained rate (the bucket's size). */
  instanceBurstBytes: number;
  /** Total log output of one invocation; beyond it the invocation's lines are dropped and counted. */
  callBytes: number;
}

/** How long and how much of the function logs `logs.db` keeps. */
export interface LogRetention {
  /** Lines older than this are deleted. */
  maxAgeMs: number;
  /** The database is kept under this size by deleting the oldest lines. */
  maxBytes: number;
  /** How often the thread enforces it. */
  intervalMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LOG_LIMITS: LogLimits = Object.freeze({
  lineBytes: 32 * 1024,
  instanceBytesPerSecond: 1 * MiB,
  instanceBurstBytes: 8 * MiB,
  callBytes: 16 * MiB,
});

export const DEFAULT_LOG_RETENTION: LogRetention = Object.freeze({
  maxAgeMs: 7 * 24 * 3600_000,
  maxBytes: 1024 * MiB,
  intervalMs: 60_000,
});

/**
 * A stored line costs its bytes plus this much: its row's other columns and index entries. Without it a flood of
 * empty lines would be free, and a million empty rows are not.
 */
export const LINE_OVERHEAD_BYTES = 128;

/** A token bucket in bytes: `rate` per second, at most `capacity` saved up. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    now = performance.now(),
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  /** Takes `cost` if that many (and at least `minLevel`) are available; false (and nothing taken) otherwise. */
  take(cost: number, minLevel = 0, now = performance.now()): boolean {
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    if (this.#tokens < Math.max(cost, minLevel)) return false;
    this.#tokens -= cost;
    return true;
  }
}

/** `1.5 MiB`, `512 KiB`, `100 bytes`: sizes in notices and messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
