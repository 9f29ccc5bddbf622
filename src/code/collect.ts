import type { Logger } from 'pino';
import type { CodeStore } from './store.js';

/**
 * Deletes code packages no function uses any more (`references` counts their users in the metadata store). Done
 * at start, before any request, so it cannot race a create or update that is about to reference the same package.
 */
export async function collectUnusedCode(
  code: CodeStore,
  references: (sha256: string) => Promise<number>,
  logger: Logger,
): Promise<void> {
  let removed = 0;
  for (const sha256 of await code.list()) {
    if ((await references(sha256)) === 0) {
      await code.remove(sha256);
      removed++;
    }
  }
  if (removed > 0) logger.info({ removed }, 'removed unused code packages');
}
