import type { Stored } from './types.js';

/**
 * Parsed, frozen rows of a table read on every invocation (services, functions). Every write goes through the
 * owning table (one process owns the file) and drops its key first, so the cache never serves a stale row.
 */
export class StoredCache<T> {
  readonly #entries = new Map<string, Stored<T>>();

  get(key: string, load: () => Stored<T> | undefined): Stored<T> | undefined {
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const value = load();
    // Only rows that exist: caching misses would let lookups of made-up names grow the map without bound.
    if (value) this.#entries.set(key, { ...value, value: Object.freeze(value.value) });
    return value;
  }

  drop(key: string): void {
    this.#entries.delete(key);
  }
}
