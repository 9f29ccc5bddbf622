import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import * as sdk from '@alicloud/fc20230330';
import * as $OpenApi from '@alicloud/openapi-client';
// tea-util (a declared dependency) re-exports the SDK's own RuntimeOptions (@darabonba/typescript).
import { RuntimeOptions } from '@alicloud/tea-util';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './credentials.js';

// A CommonJS module with `exports.default`: through Node's ESM loader the default import is `module.exports`.
const FC3 = sdk.default.default;

export type Fc3Client = InstanceType<typeof FC3>;
export { sdk as fc3 };

/** The official FC 3.0 SDK pointed at a Kumo server (`http://127.0.0.1:PORT`). */
export function fc3Client(
  serverUrl: string,
  key: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string } = {},
): Fc3Client {
  const { host } = new URL(serverUrl);
  const config = new $OpenApi.Config({
    accessKeyId: key.accessKeyId ?? ACCESS_KEY_ID,
    accessKeySecret: key.accessKeySecret ?? ACCESS_KEY_SECRET,
    securityToken: key.securityToken,
    regionId: 'local',
    endpoint: host,
    protocol: 'http',
    // Generous, as for the fc2 client: a loaded CI machine may take seconds to accept or answer.
    connectTimeout: 60_000,
    readTimeout: 120_000,
  });
  // The SDK's constructor takes openapi-core's Config; openapi-client's has the same fields.
  return new FC3(config as unknown as ConstructorParameters<typeof FC3>[0]);
}

export async function readAll(body: Readable | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

/** Asserts that `promise` rejects the way the FC 3.0 SDK reports an FC 3.0 error. */
export async function rejectsFc3(
  promise: Promise<unknown>,
  code: string,
  status: number,
  pattern?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string; statusCode?: number }) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.statusCode, status, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

export const runtimeOptions = () => new RuntimeOptions({});
