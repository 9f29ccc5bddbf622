import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FcClient } from './client.js';

export interface ConnectionFlags {
  endpoint?: string;
  dataDir?: string;
}

/**
 * Connection settings: flags, then KUMO_* environment variables, then the credentials a local `kumo serve`
 * wrote into its data dir (so `kumo invoke` just works next to a local server).
 */
export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): FcClient {
  const dataDir = flags.dataDir ?? env.KUMO_DATA_DIR ?? './.kumo';
  const file = join(dataDir, 'credentials.json');
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as {
        accountId?: string;
        accessKeyId?: string;
        accessKeySecret?: string;
      })
    : {};
  const accessKeyId = env.KUMO_ACCESS_KEY_ID ?? saved.accessKeyId;
  const accessKeySecret = env.KUMO_ACCESS_KEY_SECRET ?? saved.accessKeySecret;
  if (!accessKeyId || !accessKeySecret) {
    throw new Error(
      `no credentials: set KUMO_ACCESS_KEY_ID and KUMO_ACCESS_KEY_SECRET, or run next to a server's data dir (${file})`,
    );
  }
  return new FcClient({
    endpoint: flags.endpoint ?? env.KUMO_ENDPOINT ?? `http://127.0.0.1:${env.KUMO_PORT ?? 8780}`,
    accessKeyId,
    accessKeySecret,
    accountId: env.KUMO_ACCOUNT_ID ?? saved.accountId ?? '0',
  });
}
