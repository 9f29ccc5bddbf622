import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { canonicalResource, createApp, KeyRing, resolveCredentials, sign } from '../../src/api/index.js';
import { CodeStore } from '../../src/code/index.js';
import { type ConfigInput, loadConfig } from '../../src/config.js';
import { type Control, createControl } from '../../src/control/index.js';
import type { LogStore } from '../../src/logs/index.js';
import { SqliteLogStore } from '../../src/logs/sqlite.js';
import type { CustomDomain, Trigger } from '../../src/model/index.js';
import { createRuntimeRegistry } from '../../src/runtimes/index.js';
import { SqliteMetaStore } from '../../src/store/index.js';
import { zipFiles } from './code.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID } from './credentials.js';

export interface InjectedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

/** What the control layer told the rest of the server (instances to retire, timers, domains to route). */
export interface ControlEvents {
  functionsChanged: string[];
  triggersChanged: { trigger: Trigger; deleted: boolean }[];
  domainsChanged: { domain: CustomDomain; deleted: boolean }[];
  asyncEnqueued: number;
}

export interface TestApp {
  app: FastifyInstance;
  store: SqliteMetaStore;
  logs: LogStore;
  control: Control;
  dataDir: string;
  events: ControlEvents;
  /** Signs like the FC SDKs and injects the request in-process. `path` is below `/2016-08-15`. */
  send(
    method: string,
    path: string,
    body?: Buffer | string | object,
    headers?: Record<string, string>,
  ): Promise<InjectedResponse>;
}

/**
 * The real API app (real SQLite store, code store, log store, control layer, signature checks) without a port,
 * a sandbox, a scheduler or threads: requests go through `app.inject()`. Running a function is out of scope here, so
 * the invoker refuses; the end-to-end tests cover invocation on a real server.
 */
export async function buildTestApp(t: TestContext, overrides: Partial<ConfigInput> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-api-test-'));
  const config = loadConfig(
    {},
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
  const credentials = resolveCredentials(config);
  const keys = new KeyRing();
  keys.add(credentials.accessKeyId, { secret: credentials.accessKeySecret });
  const store = new SqliteMetaStore(join(dataDir, 'meta.db'));
  // The server keeps this store on a worker thread; in-process it saves the thread's start-up per test.
  const sqliteLogs = new SqliteLogStore(join(dataDir, 'logs.db'));
  const logs: LogStore = {
    append: (line) => sqliteLogs.insert([line]),
    query: async (query) => sqliteLogs.query(query),
    close: async () => sqliteLogs.close(),
  };
  const code = new CodeStore(join(dataDir, 'code'), {
    maxZipBytes: config.maxZipBytes,
    maxUnzippedBytes: config.maxUnzippedBytes,
    maxEntries: 100_000,
  });
  const runtimes = createRuntimeRegistry();
  const events: ControlEvents = {
    functionsChanged: [],
    triggersChanged: [],
    domainsChanged: [],
    asyncEnqueued: 0,
  };
  const control = createControl({
    store,
    asyncConfigs: store.asyncConfigs,
    code,
    accountId: credentials.accountId,
    checkRuntime: (runtime) => runtimes.check(runtime),
    onFunctionChanged: (service, fn) => events.functionsChanged.push(`${service}/${fn}`),
    onTriggerChanged: (trigger, deleted = false) => events.triggersChanged.push({ trigger, deleted }),
    onCustomDomainChanged: (domain, deleted = false) => events.domainsChanged.push({ domain, deleted }),
  });
  const app = createApp({
    config,
    credentials,
    keys,
    control,
    store,
    code,
    logs,
    logger: pino({ level: process.env.KUMO_TEST_LOG ?? 'silent' }),
    invoker: {
      invoke: () => Promise.reject(new Error('in-process API tests do not run functions')),
    },
    asyncQueue: store.asyncQueue,
    onAsyncEnqueued: () => {
      events.asyncEnqueued++;
    },
  });
  await app.ready();
  t.after(async () => {
    await app.close();
    await logs.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, store, logs, control, dataDir, events, send: (...args) => send(app, ...args) };
}

async function send(
  app: FastifyInstance,
  method: string,
  path: string,
  body?: Buffer | string | object,
  extraHeaders: Record<string, string> = {},
): Promise<InjectedResponse> {
  const url = `/2016-08-15${path}`;
  const headers: Record<string, string> = {
    accept: 'application/json',
    date: new Date().toUTCString(),
    'x-fc-account-id': ACCOUNT_ID,
    ...extraHeaders,
  };
  let payload: Buffer | undefined;
  if (body !== undefined) {
    const raw = Buffer.isBuffer(body) || typeof body === 'string';
    payload = raw ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    headers['content-type'] ??= raw ? 'application/octet-stream' : 'application/json';
    headers['content-md5'] = Buffer.from(createHash('md5').update(payload).digest('hex')).toString('base64');
  }
  if (headers.authorization === undefined) {
    const [pathOnly = ''] = url.split('?', 1);
    const resource = canonicalResource(decodeURIComponent(pathOnly), undefined, false);
    headers.authorization = `FC ${ACCESS_KEY_ID}:${sign(ACCESS_KEY_SECRET, method, headers, resource)}`;
  }
  const response = await app.inject({ method: method as 'GET', url, headers, payload });
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers)) {
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  const raw = response.rawPayload;
  return {
    status: response.statusCode,
    headers: flat,
    body: raw,
    json: <T>() => JSON.parse(raw.toString()) as T,
  };
}

/** Asserts FC's error answer: status, JSON `{ErrorCode, ErrorMessage, RequestId, Code, Message}`, request id. */
export function assertFcError(
  response: InjectedResponse,
  code: string,
  status: number,
  pattern?: RegExp,
): void {
  assert.equal(response.status, status, response.body.toString());
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  const body = response.json<Record<string, string>>();
  assert.equal(body.ErrorCode, code, body.ErrorMessage);
  assert.equal(body.Code, code);
  assert.equal(body.Message, body.ErrorMessage);
  assert.ok(body.RequestId);
  assert.equal(body.RequestId, response.headers['x-fc-request-id']);
  if (pattern) assert.match(body.ErrorMessage ?? '', pattern);
}

/** An in-process app with service `svc` and a custom-runtime function `fn`. */
export async function withFunction(t: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
  const app = await buildTestApp(t);
  await app.send('POST', '/services', { serviceName: 'svc' });
  const code = { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\n' }) };
  const fn = await app.send('POST', '/services/svc/functions', {
    functionName: 'fn',
    runtime: 'custom',
    code,
  });
  assert.equal(fn.status, 200, fn.body.toString());
  return app;
}
