import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext } from 'node:test';
import FC from '@alicloud/fc2';
import { pino } from 'pino';
import { FcClient } from '../../src/cli/client.js';
import { type ConfigInput, loadConfig } from '../../src/config.js';
import { type KumoServer, startServer } from '../../src/server.js';

import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID } from './credentials.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID };

export interface TestServer {
  server: KumoServer;
  /** The official @alicloud/fc2 SDK pointed at the server. */
  fc: FC;
  /** Kumo's own signing client, for raw requests. */
  client: FcClient;
  dataDir: string;
  /** The PostgreSQL database's URL when the server runs on PostgreSQL. */
  storeUrl?: string;
}

export type TestStore = 'sqlite' | 'postgres';

/** The store test servers use: KUMO_TEST_STORE=postgres runs the suite on PostgreSQL (helpers/postgres.ts). */
export const TEST_STORE: TestStore = process.env.KUMO_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** A data dir's PostgreSQL database and how many servers still use it (a restart keeps both). */
const databases = new Map<string, { db: TestDatabase; users: number }>();

/** Starts a real Kumo on an ephemeral port with a fresh data dir; stopped and removed after the test. */
export function startTestServer(
  t: TestContext,
  overrides: Partial<ConfigInput> = {},
  keepDataDir?: string,
): Promise<TestServer> {
  return startTestServerOn(t, TEST_STORE, overrides, keepDataDir);
}

/**
 * As startTestServer, on the given store. On PostgreSQL each data dir gets a fresh database, kept when a
 * server restarts on the same dir and dropped after the last of its servers is closed.
 */
export async function startTestServerOn(
  t: TestContext,
  store: TestStore,
  overrides: Partial<ConfigInput> = {},
  keepDataDir?: string,
): Promise<TestServer> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'kumo-test-'));
  let database = store === 'postgres' ? databases.get(dataDir) : undefined;
  if (store === 'postgres' && !database) {
    database = { db: await createTestDatabase(), users: 0 };
    databases.set(dataDir, database);
  }
  if (database) database.users++;
  const config = loadConfig(
    { KUMO_SANDBOX: process.env.KUMO_SANDBOX },
    {
      port: 0,
      dataDir,
      accountId: ACCOUNT_ID,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      logLevel: 'silent',
      storeUrl: database?.db.url,
      ...overrides,
    },
  );
  const server = await startServer(config, pino({ level: process.env.KUMO_TEST_LOG ?? 'silent' }));
  t.after(async () => {
    await server.close();
    if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    if (database && --database.users === 0) {
      databases.delete(dataDir);
      await database.db.drop();
    }
  });
  return {
    server,
    fc: sdkClient(server.url),
    client: kumoClient(server.url),
    dataDir,
    storeUrl: config.storeUrl,
  };
}

export function sdkClient(
  endpoint: string,
  accessKeyID = ACCESS_KEY_ID,
  accessKeySecret = ACCESS_KEY_SECRET,
): FC {
  return new FC(ACCOUNT_ID, { accessKeyID, accessKeySecret, region: 'local', endpoint, timeout: 60_000 });
}

export function kumoClient(endpoint: string): FcClient {
  return new FcClient({
    endpoint,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    accountId: ACCOUNT_ID,
  });
}

export type SandboxMode = 'auto' | 'process';

/**
 * Runs a group of tests once per sandbox: the one this machine picks (bwrap where it can) and the forced
 * `process` fallback, so both stay proven. `KUMO_SANDBOX` narrows it to one.
 */
export function forEachSandbox(define: (sandbox: SandboxMode) => void): void {
  const only = process.env.KUMO_SANDBOX;
  const modes: SandboxMode[] = only === 'process' ? ['process'] : only ? ['auto'] : ['auto', 'process'];
  for (const mode of modes) describe(`sandbox: ${mode}`, () => define(mode));
}
