import type { Logger } from 'pino';
import type { CodeStore } from './code/index.js';
import type { SqliteMetaStore } from './store/index.js';

/**
 * Deletes code packages no function uses any more. Done at start, before any request, so it cannot race a
 * create or update that is about to reference the same package.
 */
export async function collectUnusedCode(
  code: CodeStore,
  store: SqliteMetaStore,
  logger: Logger,
): Promise<void> {
  let removed = 0;
  for (const sha256 of await code.list()) {
    if ((await store.codeReferences(sha256)) === 0) {
      await code.remove(sha256);
      removed++;
    }
  }
  if (removed > 0) logger.info({ removed }, 'removed unused code packages');
}
