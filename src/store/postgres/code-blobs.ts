import { createHash } from 'node:crypto';
import type pg from 'pg';
import { one, rows, run, transaction } from './db.js';

/** Chunk size of stored code: large enough for few rows, small enough to keep each row's memory bounded. */
export const CODE_CHUNK_BYTES = 1024 * 1024;

/**
 * Code packages and layer zips stored once for every node, as chunked `bytea` rows addressed by SHA-256
 * (`code_packages` + `code_chunks`). Nodes keep their own on-disk cache (CodeStore) and fill it from here.
 */
export class PgCodeBlobs {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Stores the zip under its address; a package already stored (by any node) is left as it is. */
  async put(sha256: string, zip: Buffer): Promise<void> {
    await transaction(this.#pool, async (db) => {
      const chunks = Math.ceil(zip.length / CODE_CHUNK_BYTES);
      // A concurrent put of the same package waits on the key, then finds it stored and does nothing.
      const inserted = await run(
        db,
        `INSERT INTO code_packages (sha256, size, chunks, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [sha256, zip.length, chunks, Date.now()],
      );
      if (inserted === 0) return;
      for (let seq = 0; seq < chunks; seq++) {
        const data = zip.subarray(seq * CODE_CHUNK_BYTES, (seq + 1) * CODE_CHUNK_BYTES);
        await run(db, 'INSERT INTO code_chunks (sha256, seq, data) VALUES ($1, $2, $3)', [sha256, seq, data]);
      }
    });
  }

  async has(sha256: string): Promise<boolean> {
    return !!(await one(this.#pool, 'SELECT 1 FROM code_packages WHERE sha256 = $1', [sha256]));
  }

  /** The zip, checked against its size and address; undefined when it is not stored. */
  async get(sha256: string): Promise<Buffer | undefined> {
    const pkg = await one<{ size: number; chunks: number }>(
      this.#pool,
      'SELECT size, chunks FROM code_packages WHERE sha256 = $1',
      [sha256],
    );
    if (!pkg) return undefined;
    const parts: Buffer[] = [];
    // Chunk by chunk: a large package is never one huge result row.
    for (let seq = 0; seq < pkg.chunks; seq++) {
      const chunk = await one<{ data: Buffer }>(
        this.#pool,
        'SELECT data FROM code_chunks WHERE sha256 = $1 AND seq = $2',
        [sha256, seq],
      );
      if (!chunk) throw new Error(`code ${sha256}: chunk ${seq} of ${pkg.chunks} is missing in PostgreSQL`);
      parts.push(chunk.data);
    }
    const zip = Buffer.concat(parts);
    const actual = createHash('sha256').update(zip).digest('hex');
    if (zip.length !== pkg.size || actual !== sha256) {
      throw new Error(`code ${sha256} in PostgreSQL is corrupt (${zip.length} bytes, sha256 ${actual})`);
    }
    return zip;
  }

  /** Every stored package's address. */
  async list(): Promise<string[]> {
    return (await rows<{ sha256: string }>(this.#pool, 'SELECT sha256 FROM code_packages')).map(
      (r) => r.sha256,
    );
  }
}
