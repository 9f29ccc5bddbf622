import { readFileSync } from 'node:fs';
import type FC from '@alicloud/fc2';
import type { FcClient } from '../../src/cli/client.js';
import { zipFiles } from './code.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/custom/${name}`, import.meta.url), 'utf8');

export const NODE_RUNTIME = {
  bootstrap: fixture('node-bootstrap.js'),
  'package.json': '{"type":"commonjs"}',
};
export const PYTHON_RUNTIME = { bootstrap: fixture('python-bootstrap.py') };
export const RUBY_RUNTIME = { bootstrap: fixture('ruby-bootstrap.rb') };

/** Creates the service if needed and a custom-runtime function from `files`. */
export async function deployCustom(
  fc: FC,
  service: string,
  functionName: string,
  files: Record<string, string>,
  options: Record<string, unknown> = {},
): Promise<void> {
  await fc.createService(service).catch((error: Error & { code?: string }) => {
    if (error.code !== 'ServiceAlreadyExists') throw error;
  });
  await fc.createFunction(service, {
    functionName,
    runtime: 'custom',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 10,
    code: { zipFile: await zipFiles(files) },
    ...options,
  });
}

export interface Invocation {
  body: string;
  headers: Record<string, string>;
  errorType?: string;
  logs: string;
}

/** Invokes through the official SDK with `X-Fc-Log-Type: Tail`. */
export async function invoke(fc: FC, service: string, fn: string, event: string): Promise<Invocation> {
  const response = await fc.invokeFunction(service, fn, event, { 'x-fc-log-type': 'Tail' }, undefined, {
    rawBuf: true,
  });
  const data = response.data as unknown;
  const body = Buffer.isBuffer(data)
    ? data.toString()
    : typeof data === 'string'
      ? data
      : JSON.stringify(data);
  return {
    body,
    headers: response.headers,
    errorType: response.headers['x-fc-error-type'],
    logs: Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString(),
  };
}

/** The messages of a function's stored log lines, filtered as the logs API filters them (`text`, `requestId`). */
export async function functionLogs(
  client: FcClient,
  service: string,
  fn: string,
  filter: { text?: string; requestId?: string },
): Promise<string[]> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, value);
  const { logs } = await client.json<{ logs: { message: string }[] }>(
    'GET',
    `/services/${service}/functions/${fn}/logs?${query}`,
  );
  return logs.map((line) => line.message);
}
