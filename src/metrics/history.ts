import { inner } from './nested.js';
/** Which function a series is about; without a qualifier, every qualifier of the function added up. */
export interface SeriesKey {
  service: string;
  function: string;
  qualifier?: string;
}

/** One minute of a function's calls. */
export interface MinuteSample {
  /** Start of the minute, in ms since the epoch. */
  t: number;
  calls: number;
  errors: number;
  coldStarts: number;
  /** Null when the minute had no call. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export const HISTORY_MINUTES = 60;
const MINUTE_MS = 60_000;
/** Duration buckets: four per doubling from 1/8 ms (about ±9 % error), the last one open (over ~35 minutes). */
const BUCKETS_PER_DOUBLING = 4;
const SMALLEST_MS = 0.125;
const BUCKETS = 96;

/** One minute slot of a ring; its bucket array is allocated at the slot's first call and reused afterwards. */
interface Slot {
  minute: number;
  calls: number;
  errors: number;
  coldStarts: number;
  buckets: Uint32Array | undefined;
}

/** The last hour of one function qualifier, one slot per minute. */
class MinuteRing {
  readonly slots: Slot[] = [];
  lastMinute = -1;

  constructor() {
    for (let i = 0; i < HISTORY_MINUTES; i++)
      this.slots.push({ minute: -1, calls: 0, errors: 0, coldStarts: 0, buckets: undefined });
  }

  record(minute: number, durationMs: number, error: boolean, coldStart: boolean): void {
    const slot = this.slots[minute % HISTORY_MINUTES] as Slot;
    if (slot.minute !== minute) {
      slot.minute = minute;
      slot.calls = 0;
      slot.errors = 0;
      slot.coldStarts = 0;
      slot.buckets?.fill(0);
    }
    slot.calls++;
    if (error) slot.errors++;
    if (coldStart) slot.coldStarts++;
    slot.buckets ??= new Uint32Array(BUCKETS);
    const index = bucketOf(durationMs);
    slot.buckets[index] = (slot.buckets[index] as number) + 1;
    this.lastMinute = minute;
  }
}

function bucketOf(durationMs: number): number {
  if (!(durationMs > SMALLEST_MS)) return 0;
  const index = Math.floor(BUCKETS_PER_DOUBLING * Math.log2(durationMs / SMALLEST_MS)) + 1;
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The bucket's geometric middle: what a quantile falling in it is reported as. */
function bucketValue(index: number): number {
  if (index === 0) return SMALLEST_MS;
  return SMALLEST_MS * 2 ** ((index - 0.5) / BUCKETS_PER_DOUBLING);
}

function quantile(buckets: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] as number;
    if (seen >= rank) return Math.round(bucketValue(i) * 100) / 100;
  }
  return null;
}

/**
 * The last hour of calls per function and qualifier, minute by minute, for the console's charts. Memory is
 * bounded: 60 slots per qualifier called in the last hour; a function idle for an hour, or deleted, is dropped.
 */
export class MetricsHistory {
  /** service → function → qualifier → ring: nested so a call's lookup builds no key string. */
  readonly #services = new Map<string, Map<string, Map<string, MinuteRing>>>();
  readonly #now: () => number;
  #lastSweep = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(
    service: string,
    fn: string,
    qualifier: string,
    durationMs: number,
    error: boolean,
    coldStart: boolean,
  ): void {
    const minute = Math.floor(this.#now() / MINUTE_MS);
    if (minute !== this.#lastSweep) this.#sweep(minute);
    const qualifiers = inner(inner(this.#services, service), fn);
    let ring = qualifiers.get(qualifier);
    if (!ring) {
      ring = new MinuteRing();
      qualifiers.set(qualifier, ring);
    }
    ring.record(minute, durationMs, error, coldStart);
  }

  /** Per-minute samples over the last `minutes` minutes (at most 60), oldest first, the current minute last. */
  series(key: SeriesKey, minutes: number): MinuteSample[] {
    const count = Math.max(1, Math.min(HISTORY_MINUTES, Math.floor(minutes) || 1));
    const current = Math.floor(this.#now() / MINUTE_MS);
    if (current !== this.#lastSweep) this.#sweep(current);
    const qualifiers = this.#services.get(key.service)?.get(key.function);
    const rings: MinuteRing[] = [];
    if (qualifiers) {
      if (key.qualifier === undefined) rings.push(...qualifiers.values());
      else {
        const ring = qualifiers.get(key.qualifier);
        if (ring) rings.push(ring);
      }
    }
    const samples: MinuteSample[] = [];
    const merged = new Uint32Array(BUCKETS);
    for (let minute = current - count + 1; minute <= current; minute++) {
      const sample: MinuteSample = {
        t: minute * MINUTE_MS,
        calls: 0,
        errors: 0,
        coldStarts: 0,
        p50Ms: null,
        p99Ms: null,
      };
      merged.fill(0);
      for (const ring of rings) {
        const slot = ring.slots[minute % HISTORY_MINUTES] as Slot;
        if (slot.minute !== minute || !slot.buckets) continue;
        sample.calls += slot.calls;
        sample.errors += slot.errors;
        sample.coldStarts += slot.coldStarts;
        for (let i = 0; i < BUCKETS; i++) merged[i] = (merged[i] as number) + (slot.buckets[i] as number);
      }
      sample.p50Ms = quantile(merged, sample.calls, 0.5);
      sample.p99Ms = quantile(merged, sample.calls, 0.99);
      samples.push(sample);
    }
    return samples;
  }

  /** Drops a function's history (it was deleted), or a whole service's. */
  forget(service: string, fn?: string): void {
    if (fn === undefined) {
      this.#services.delete(service);
      return;
    }
    const functions = this.#services.get(service);
    functions?.delete(fn);
    if (functions?.size === 0) this.#services.delete(service);
  }

  /** Functions with any history (for tests and the bench). */
  get size(): number {
    let size = 0;
    for (const functions of this.#services.values()) size += functions.size;
    return size;
  }

  /** Once a minute: drops qualifiers not called in the last hour, and functions and services left empty. */
  #sweep(minute: number): void {
    this.#lastSweep = minute;
    const oldest = minute - HISTORY_MINUTES;
    for (const [service, functions] of this.#services) {
      for (const [fn, qualifiers] of functions) {
        for (const [qualifier, ring] of qualifiers)
          if (ring.lastMinute <= oldest) qualifiers.delete(qualifier);
        if (qualifiers.size === 0) functions.delete(fn);
      }
      if (functions.size === 0) this.#services.delete(service);
    }
  }
}
