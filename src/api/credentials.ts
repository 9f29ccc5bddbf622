import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { KumoConfig } from '../config.js';

export interface Credentials {
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** True when this start generated them (they are printed once). */
  generated: boolean;
}

const fileSchema = z.object({ accountId: z.string(), accessKeyId: z.string(), accessKeySecret: z.string() });

/**
 * The server's account and root key pair: from the config when given, else from `<dataDir>/credentials.json`,
 * else generated on first start and written there with mode 0600 (as MinIO does).
 */
export function resolveCredentials(config: KumoConfig): Credentials {
  const file = join(config.dataDir, 'credentials.json');
  const saved = existsSync(file) ? fileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  const accountId = config.accountId ?? saved?.accountId;
  if (config.accessKeyId && config.accessKeySecret) {
    return {
      accountId: accountId ?? '1234567890123456',
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      generated: false,
    };
  }
  if (saved) return { ...saved, accountId: accountId ?? saved.accountId, generated: false };
  const created = {
    accountId: accountId ?? `1${String(randomInt(0, 2 ** 47)).padStart(15, '0')}`,
    accessKeyId: `KUMO${randomBytes(8).toString('hex').toUpperCase()}`,
    accessKeySecret: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { ...created, generated: true };
}
