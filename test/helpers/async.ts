import type { TestContext } from 'node:test';
import type FC from '@alicloud/fc2';
import { pino } from 'pino';
import { AsyncWorker, type Invoker } from '../../src/invoke/index.js';
import type { SqliteMetaStore } from '../../src/store/index.js';
import { until } from './poll.js';
import { ACCOUNT_ID } from './server.js';

/** A custom runtime whose every call fails with a handled function error. */
export const ALWAYS_FAILS = {
  bootstrap: `#!/usr/bin/env node
require('node:http')
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(404, { 'x-fc-status': '404' });
      res.end(JSON.stringify({ errorMessage: 'always fails', errorType: 'Boom' }));
    });
  })
  .listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
  'package.json': '{"type":"commonjs"}',
};

export interface InvocationRecord {
  invocationId: string;
  requestId: string;
  status: string;
  attempts: number;
  invocationPayload?: string;
  returnPayload?: string;
  invocationErrorMessage?: string;
}

export interface DestinationRecord {
  timestamp: number;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload: string;
  responseContext: { statusCode: number; functionError: string };
  responsePayload: string;
}

export const arn = (service: string, fn: string, qualifier = 'LATEST', account = ACCOUNT_ID) =>
  `acs:fc:local:${account}:services/${service}.${qualifier}/functions/${fn}`;

export const FINAL = ['Succeeded', 'Failed', 'Stopped', 'Expired'];

/** Every async invocation of a function, through the stateful invocation API (with payloads). */
export async function invocations(fc: FC, service: string, fn: string, query: Record<string, string> = {}) {
  const { data } = await fc.get(`/services/${service}/functions/${fn}/stateful-async-invocations`, {
    includePayload: 'true',
    ...query,
  });
  return data as { invocations: InvocationRecord[]; nextToken?: string };
}

/** Waits until the function has `count` invocations, all finished. */
export async function finished(
  fc: FC,
  service: string,
  fn: string,
  count: number,
): Promise<InvocationRecord[]> {
  return until(
    async () => {
      const list = (await invocations(fc, service, fn)).invocations;
      return list.length === count && list.every((inv) => FINAL.includes(inv.status)) ? list : undefined;
    },
    { what: `${service}/${fn} has ${count} finished async invocations`, timeoutMs: 30_000, intervalMs: 50 },
  );
}

/** A started AsyncWorker over `store` with a fake invoker (the seam), polling fast; closed after the test. */
export async function startAsyncWorker(
  t: TestContext,
  store: SqliteMetaStore,
  invoker: Invoker,
  maxRetries: number,
): Promise<AsyncWorker> {
  const options = {
    concurrency: 1,
    maxRetries,
    baseDelayMs: 10,
    pollMs: 20,
    home: { region: 'local', accountId: '1' },
  };
  const worker = new AsyncWorker(
    store.asyncQueue,
    store.asyncConfigs,
    store,
    invoker,
    pino({ level: 'silent' }),
    options,
  );
  t.after(() => worker.close());
  await worker.start();
  return worker;
}
