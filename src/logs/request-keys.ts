/**
 * Finding a request's lines without an index on the request id. Request ids are random, so a B-tree index on
 * them dirties one random page per line written: at 3 lines per call, most of the log thread's work (and WAL
 * traffic) went there. Instead, each written batch adds one row to `log_blocks`: the batch's range of line ids
 * and a 32-bit key per distinct request id in it. A lookup scans the keys in SQLite (`instr` on the blob), then
 * reads the few matching id ranges by rowid; the `request_id = ?` filter keeps it exact (a key collision or an
 * unaligned byte match only costs a range read). A block with NULL keys (lines written before this scheme) is
 * always read.
 */
export const REQUEST_KEYS_MIGRATION = `
  DROP INDEX IF EXISTS logs_request;
  CREATE TABLE log_blocks (first INTEGER NOT NULL, last INTEGER NOT NULL, keys BLOB);
  INSERT INTO log_blocks (first, last, keys) SELECT min(id), max(id), NULL FROM logs HAVING count(*) > 0;`;

/** More ranges than this and a lookup reads the span from the first to the last instead. */
const MAX_RANGES = 64;

/** FNV-1a over the UTF-16 code units: cheap, and good enough to tell ~100 ids of a batch apart. */
export function requestKey(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= requestId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A key as the 4 bytes stored in a block (and searched for). */
export function keyBytes(key: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32LE(key, 0);
  return bytes;
}

/** Collects the distinct request ids of one batch as it is written. */
export class BlockKeys {
  #keys = new Set<number>();
  #lastId = '';

  add(requestId: string): void {
    // A call's lines come in runs: skip hashing the same id again.
    if (requestId === '' || requestId === this.#lastId) return;
    this.#lastId = requestId;
    this.#keys.add(requestKey(requestId));
  }

  /** The keys as one blob, or undefined when no line had a request id. */
  take(): Buffer | undefined {
    if (this.#keys.size === 0) return undefined;
    const blob = Buffer.allocUnsafe(this.#keys.size * 4);
    let at = 0;
    for (const key of this.#keys) at = blob.writeUInt32LE(key, at);
    this.#keys = new Set();
    this.#lastId = '';
    return blob;
  }
}

/** The id ranges a request's lines may be in, as an SQL condition and its arguments; undefined: none. */
export function rangeCondition(ranges: { first: number; last: number }[]): [string, number[]] | undefined {
  if (ranges.length === 0) return undefined;
  if (ranges.length > MAX_RANGES) {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const range of ranges) {
      first = Math.min(first, range.first);
      last = Math.max(last, range.last);
    }
    return ['id BETWEEN ? AND ?', [first, last]];
  }
  const clause = ranges.map(() => 'id BETWEEN ? AND ?').join(' OR ');
  return [`(${clause})`, ranges.flatMap((r) => [r.first, r.last])];
}
