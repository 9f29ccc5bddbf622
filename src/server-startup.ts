import type { Logger } from 'pino';
import type { CodeStore } from './code/index.js';
import { type MetaStore, SqliteMetaStore } from './store/index.js';
import type { PostgresMetaStore } from './store/postgres/index.js';

/**
 * Deletes code packages no function uses any more. Done at start, before any request, so it cannot race a
 * create or update that is about to reference the same package.
 */
export async function collectUnusedCode(code: CodeStore, store: MetaStore, logger: Logger): Promise<void> {
  let removed = 0;
  for (const sha256 of await code.list()) {
    if ((await store.codeReferences(sha256)) === 0) {
      await code.remove(sha256);
      removed++;
    }
  }
  if (removed > 0) logger.info({ removed }, 'removed unused code packages');
}

/** Why the metadata store cannot be used now (for `/readyz`), or undefined when it answers. */
export function storeProblem(store: SqliteMetaStore | PostgresMetaStore): () => Promise<string | undefined> {
  if (store instanceof SqliteMetaStore) return async () => store.problem();
  return () =>
    store.pool.query('SELECT 1').then(
      () => undefined,
      (error: Error) => error.message,
    );
}
