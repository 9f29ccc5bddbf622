import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMetaStore } from '../../src/store/index.js';
import { type StoreUnderTest, storeConformance } from './conformance.js';

storeConformance(async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-store-test-'));
  let current: SqliteMetaStore | undefined;
  const openFile = (): StoreUnderTest => {
    const store = new SqliteMetaStore(join(dir, 'meta.db'));
    current = store;
    return {
      store,
      asyncQueue: store.asyncQueue,
      asyncConfigs: store.asyncConfigs,
      reopen: async () => {
        await store.close();
        return openFile();
      },
    };
  };
  t.after(async () => {
    await current?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return openFile();
});
