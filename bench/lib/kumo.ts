import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { canonicalResource, sign } from '../../src/api/index.js';
import { FcClient, FcClientError } from '../../src/cli/client.js';
import { zipDirectory } from '../../src/code/index.js';
import { type ConfigInput, loadConfig } from '../../src/config.js';
import { type KumoServer, startServer } from '../../src/server.js';
import type { Target } from './load.js';
import { BENCH_DIR } from './util.js';

const ACCESS_KEY_ID = 'BENCHKEY';
const ACCESS_KEY_SECRET = 'bench-secret';
const ACCOUNT_ID = '1000000000000001';

export interface Kumo {
  server: KumoServer;
  client: FcClient;
  close(): Promise<void>;
}

/** A real Kumo server in this process, on a free port with a throwaway data dir, like `kumo serve`. */
export async function startKumo(overrides: Partial<ConfigInput> = {}): Promise<Kumo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-bench-'));
  const config = loadConfig(process.env, {
    port: 0,
    dataDir,
    accountId: ACCOUNT_ID,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    logLevel: 'silent',
    ...overrides,
  });
  const server = await startServer(config, pino({ level: 'silent' }));
  const client = new FcClient({
    endpoint: server.url,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    accountId: ACCOUNT_ID,
  });
  return {
    server,
    client,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const zips = new Map<string, Promise<string>>();

/** A fixture folder of `bench/fixtures/` as the base64 zip FC's API takes (zipped once per run). */
export function fixtureZip(name: string): Promise<string> {
  let zip = zips.get(name);
  if (!zip) {
    zip = zipDirectory(join(BENCH_DIR, 'fixtures', name)).then((buffer) => buffer.toString('base64'));
    zips.set(name, zip);
  }
  return zip;
}

export async function ensureService(client: FcClient, serviceName: string): Promise<void> {
  try {
    await client.json('POST', '/services', { serviceName });
  } catch (error) {
    if (!(error instanceof FcClientError && error.code === 'ServiceAlreadyExists')) throw error;
  }
}

export interface FunctionSpec {
  service: string;
  name: string;
  runtime: string;
  handler: string;
  /** Folder under bench/fixtures. */
  fixture: string;
  /** The code package (base64 zip) when it is not the fixture folder as is (compiled Java). */
  zipFile?: string;
  httpTrigger?: boolean;
  instanceConcurrency?: number;
}

export async function deployFunction(client: FcClient, spec: FunctionSpec): Promise<void> {
  await ensureService(client, spec.service);
  await client.json('POST', `/services/${spec.service}/functions`, {
    functionName: spec.name,
    runtime: spec.runtime,
    handler: spec.handler,
    memorySize: 128,
    timeout: 10,
    ...(spec.instanceConcurrency && { instanceConcurrency: spec.instanceConcurrency }),
    code: { zipFile: spec.zipFile ?? (await fixtureZip(spec.fixture)) },
  });
  if (spec.httpTrigger) {
    await client.json('POST', `/services/${spec.service}/functions/${spec.name}/triggers`, {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
    });
  }
}

/** Deletes a function (and its `http` trigger, when it has one); Kumo then stops its instances. */
export async function deleteFunction(
  client: FcClient,
  service: string,
  name: string,
  httpTrigger = false,
): Promise<void> {
  const base = `/services/${service}/functions/${name}`;
  if (httpTrigger) {
    const response = await client.send('DELETE', `${base}/triggers/http`);
    if (response.status >= 300) throw FcClientError.from(response);
  }
  const response = await client.send('DELETE', base);
  if (response.status >= 300) throw FcClientError.from(response);
}

/**
 * A signed `POST …/invocations` with the Date header fixed now, to be replayed unchanged by autocannon: FC's
 * signature covers the Date header, which Kumo accepts for 15 minutes (FC's clock-skew window), so one signature
 * stays valid for a scenario (each signs its own, a minute or less before its load).
 */
export function signedInvoke(kumo: Kumo, service: string, fn: string, event: string): Target {
  const path = `/2016-08-15/services/${service}/functions/${fn}/invocations`;
  const body = Buffer.from(event);
  const headers: Record<string, string> = {
    accept: 'application/json',
    date: new Date().toUTCString(),
    'content-type': 'application/octet-stream',
    'content-md5': Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64'),
    'x-fc-account-id': kumo.client.options.accountId,
  };
  const signature = sign(
    kumo.client.options.accessKeySecret,
    'POST',
    headers,
    canonicalResource(path, undefined, false),
  );
  headers.authorization = `FC ${kumo.client.options.accessKeyId}:${signature}`;
  return { url: `${kumo.server.url}${path}`, method: 'POST', headers, body: event };
}

/** An anonymous call through the function's HTTP trigger. */
export function httpTrigger(kumo: Kumo, service: string, fn: string, event: string): Target {
  return {
    url: `${kumo.server.url}/2016-08-15/proxy/${service}/${fn}/`,
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: event,
  };
}

/** One signed synchronous invocation; throws unless the function answered without an error. */
/** Times a new function's first call (its start) and its second (warm) call, in ms, then deletes it. */
export async function timeFirstTwoCalls(
  client: FcClient,
  service: string,
  name: string,
): Promise<{ first: number; warm: number; answer: string }> {
  let started = performance.now();
  const answer = await invokeOnce(client, service, name, 'world');
  const first = performance.now() - started;
  started = performance.now();
  await invokeOnce(client, service, name, 'world');
  const warm = performance.now() - started;
  await deleteFunction(client, service, name);
  return { first, warm, answer };
}

export async function invokeOnce(
  client: FcClient,
  service: string,
  fn: string,
  event = 'bench',
): Promise<string> {
  const response = await client.send('POST', `/services/${service}/functions/${fn}/invocations`, event);
  if (response.status !== 200 || response.headers['x-fc-error-type']) {
    // The function's log lines (instance output included) say more than the error alone.
    const logs = await client
      .send('GET', `/services/${service}/functions/${fn}/logs?limit=20`)
      .catch(() => undefined);
    let tail = '';
    try {
      const parsed = JSON.parse(logs?.body.toString() ?? '') as { logs: { message: string }[] };
      tail = parsed.logs.map((l) => l.message.trim()).join(' ⏎ ');
    } catch {}
    throw new Error(
      `${service}/${fn}: HTTP ${response.status} ${response.body.toString().slice(0, 300)}` +
        (tail ? ` — function log: ${tail.slice(0, 1500)}` : ''),
    );
  }
  return response.body.toString();
}
