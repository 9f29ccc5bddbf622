import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FcClient } from './client.js';
import { UsageError } from './output.js';
import { configFile } from './setup-commands.js';

export interface ConnectionFlags {
  endpoint?: string;
  dataDir?: string;
}

interface Saved {
  endpoint?: string;
  accountId?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
}

function readJson(file: string): Saved {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Saved) : {};
}

/**
 * Connection settings, first found wins: flags (a --data-dir's key included), KUMO_* environment variables, the
 * file `kumo config` wrote, then the credentials a local `kumo serve` wrote into its data dir (so commands just
 * work next to a server).
 */
export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): FcClient {
  const config = readJson(configFile());
  const local = readJson(join(flags.dataDir ?? env.KUMO_DATA_DIR ?? './.kumo', 'credentials.json'));
  // An explicit --data-dir names the server: its key wins over the environment's and the saved one.
  const chosen: Saved = flags.dataDir ? local : {};
  const accessKeyId = chosen.accessKeyId ?? env.KUMO_ACCESS_KEY_ID ?? config.accessKeyId ?? local.accessKeyId;
  const accessKeySecret =
    chosen.accessKeySecret ?? env.KUMO_ACCESS_KEY_SECRET ?? config.accessKeySecret ?? local.accessKeySecret;
  if (!accessKeyId || !accessKeySecret) {
    throw new UsageError(
      'no credentials for the Kumo server',
      'set KUMO_ACCESS_KEY_ID and KUMO_ACCESS_KEY_SECRET, run `kumo config`, run next to a local server, or give its --data-dir',
      'NoCredentials',
    );
  }
  return new FcClient({
    endpoint:
      flags.endpoint ?? env.KUMO_ENDPOINT ?? config.endpoint ?? `http://127.0.0.1:${env.KUMO_PORT ?? 8780}`,
    accessKeyId,
    accessKeySecret,
    accountId: chosen.accountId ?? env.KUMO_ACCOUNT_ID ?? config.accountId ?? local.accountId ?? '0',
  });
}
