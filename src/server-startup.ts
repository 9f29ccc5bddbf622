import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KumoConfig } from './config.js';
import { ThreadedLogStore } from './logs/index.js';
import { SqliteMetaStore } from './store/index.js';
import type { PostgresMetaStore } from './store/postgres/index.js';

/** Why the metadata store cannot be used now (for `/readyz`), or undefined when it answers. */
export function storeProblem(store: SqliteMetaStore | PostgresMetaStore): () => Promise<string | undefined> {
  if (store instanceof SqliteMetaStore) return async () => store.problem();
  return () =>
    store.pool.query('SELECT 1').then(
      () => undefined,
      (error: Error) => error.message,
    );
}

/** The node's function log store, its limits and retention from the config, its troubles in the server log. */
export function openLogStore(dataDir: string, config: KumoConfig, logger: Logger): Promise<ThreadedLogStore> {
  return ThreadedLogStore.open(join(dataDir, 'logs.db'), {
    onFailure: (error) =>
      logger.error({ err: error }, 'the log store thread failed: function logs are no longer stored'),
    onBacklogDrop: (lines) =>
      logger.warn({ lines }, 'function log lines dropped: the log store thread fell behind'),
    onRetention: (result) =>
      result.error
        ? logger.error({ err: result.error }, 'log retention failed')
        : logger.info(result, 'log retention: old function logs deleted'),
    limits: {
      lineBytes: config.logLineBytes,
      instanceBytesPerSecond: config.logRateBytesPerSecond,
      instanceBurstBytes: config.logBurstBytes,
      callBytes: config.logCallBytes,
    },
    retention: {
      maxAgeMs: config.logRetentionMs,
      maxBytes: config.logRetentionBytes,
      intervalMs: config.logRetentionIntervalMs,
    },
  });
}

/**
 * Unpacked code lives below Kumo's folder; without this boundary a user's CommonJS `index.js` would inherit the
 * `"type": "module"` of whatever package.json is above the data dir (the plain-process sandbox).
 */
export function writeCodeBoundary(codeRoot: string): void {
  mkdirSync(codeRoot, { recursive: true });
  writeFileSync(join(codeRoot, 'package.json'), '{ "private": true }\n');
}
