import { PostgresMetaStore } from '../../src/store/postgres/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { type StoreUnderTest, storeConformance } from './conformance.js';

storeConformance(async (t) => {
  const database = await createTestDatabase();
  let current: PostgresMetaStore | undefined;
  const openDatabase = async (): Promise<StoreUnderTest> => {
    const store = await PostgresMetaStore.open(database.url);
    current = store;
    return {
      store,
      asyncQueue: store.asyncQueue,
      asyncConfigs: store.asyncConfigs,
      reopen: async () => {
        await store.close();
        return openDatabase();
      },
    };
  };
  t.after(async () => {
    await current?.close();
    await database.drop();
  });
  return openDatabase();
});
