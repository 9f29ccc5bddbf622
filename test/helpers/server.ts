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

export { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID };

export interface TestServer {
  server: KumoServer;
  /** The official @alicloud/fc2 SDK pointed at the server. */
  fc: FC;
  /** Kumo's own signing client, for raw requests. */
  client: FcClient;
  dataDir: string;
}

/** Starts a real Kumo on an ephemeral port with a fresh data dir; stopped and removed after the test. */
export async function startTestServer(
  t: TestContext,
  overrides: Partial<ConfigInput> = {},
  keepDataDir?: string,
): Promise<TestServer> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'kumo-test-'));
  const config = loadConfig(
    { KUMO_SANDBOX: process.env.KUMO_SANDBOX },
    {
      port: 0,
      dataDir,
      accountId: ACCOUNT_ID,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      logLevel: 'silent',
      ...overrides,
    },
  );
  const server = await startServer(config, pino({ level: process.env.KUMO_TEST_LOG ?? 'silent' }));
  t.after(async () => {
    await server.close();
    if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return { server, fc: sdkClient(server.url), client: kumoClient(server.url), dataDir };
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
