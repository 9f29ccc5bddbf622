import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import FC from '@alicloud/fc2';
import Database from 'better-sqlite3';
import { SqliteMetaStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { type InvocationRecord, invocations } from '../helpers/async.js';
import { deployCustom, functionLogs, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

const path = (service: string, fn: string, id: string) =>
  `/services/${service}/functions/${fn}/stateful-async-invocations/${id}`;

async function record(fc: FC, service: string, fn: string, id: string): Promise<InvocationRecord> {
  return (await fc.get(path(service, fn, id))).data as InvocationRecord;
}

const asyncCall = (fc: FC, service: string, fn: string, event: string, id?: string) =>
  fc.invokeFunction(service, fn, event, {
    'x-fc-invocation-type': 'Async',
    ...(id && { 'x-fc-stateful-async-invocation-id': id }),
  });

test('stateful invocations: ids honoured, a running one is stopped (its instance too), list filters and pages, states survive a restart', async (t) => {
  const first = await startTestServer(t, { asyncRetryBaseMs: 50 });
  const { fc, client, server, dataDir } = first;
  await deployCustom(fc, 'svc', 'slow', NODE_RUNTIME, { timeout: 60 });
  await deployCustom(fc, 'other', 'slow', NODE_RUNTIME);
  await fc.putFunctionAsyncConfig('svc', 'slow', 'LATEST', { statefulInvocation: true });

  const accepted = await asyncCall(fc, 'svc', 'slow', 'sleep:60000', 'job-1');
  assert.equal(accepted.headers['x-fc-stateful-async-invocation-id'], 'job-1');
  await assert.rejects(asyncCall(fc, 'svc', 'slow', 'again', 'job-1'), {
    code: 'StatefulAsyncInvocationAlreadyExists',
  });
  await assert.rejects(asyncCall(fc, 'svc', 'slow', 'x', '../job'), { code: 'InvalidArgument' });

  await until(async () => (await record(fc, 'svc', 'slow', 'job-1')).status === 'Running', {
    what: 'job-1 is running',
  });
  await until(async () => (await functionLogs(client, 'svc', 'slow', { text: 'event sleep:60000' })).length, {
    what: 'the instance is running the call',
  });
  // Another service's function cannot reach it by the same id.
  await assert.rejects(fc.put(path('other', 'slow', 'job-1')), { code: 'AsyncTaskNotFound' });
  assert.equal((await record(fc, 'svc', 'slow', 'job-1')).status, 'Running');

  await fc.put(path('svc', 'slow', 'job-1'));
  const stopped = await until(
    async () => {
      const r = await record(fc, 'svc', 'slow', 'job-1');
      return r.status === 'Stopped' ? r : undefined;
    },
    { what: 'job-1 reads Stopped' },
  );
  assert.equal(stopped.attempts, 1, 'a stopped invocation is not retried');
  assert.equal(stopped.requestId, accepted.headers['x-fc-request-id']);
  // The instance running the call was retired with it: the sleeping handler does not go on.
  await until(() => server.instanceCount() === 0, { what: 'the instance that ran job-1 is gone' });
  await assert.rejects(fc.put(path('svc', 'slow', 'job-1')), { code: 'InvalidArgument' });

  await asyncCall(fc, 'svc', 'slow', 'two', 'job-2');
  await asyncCall(fc, 'svc', 'slow', 'three', 'task-3');
  await until(
    async () =>
      (await invocations(fc, 'svc', 'slow', { status: 'Succeeded' })).invocations.length === 2
        ? true
        : undefined,
    { what: 'job-2 and task-3 succeed' },
  );
  const ids = async (query: Record<string, string>) =>
    (await invocations(fc, 'svc', 'slow', query)).invocations.map((inv) => inv.invocationId);
  assert.deepEqual(await ids({ status: 'Stopped' }), ['job-1']);
  assert.deepEqual(await ids({ invocationIdPrefix: 'job', sortOrderByTime: 'asc' }), ['job-1', 'job-2']);
  assert.deepEqual(await ids({ sortOrderByTime: 'desc' }), ['task-3', 'job-2', 'job-1']);
  const firstPage = await invocations(fc, 'svc', 'slow', { limit: '2', sortOrderByTime: 'asc' });
  assert.deepEqual(
    firstPage.invocations.map((inv) => inv.invocationId),
    ['job-1', 'job-2'],
  );
  assert.ok(firstPage.nextToken);
  assert.deepEqual(await ids({ limit: '2', sortOrderByTime: 'asc', nextToken: firstPage.nextToken }), [
    'task-3',
  ]);
  const future = String(Date.now() + 60_000);
  assert.deepEqual(await ids({ startedTimeBegin: future }), []);
  assert.equal((await ids({ startedTimeEnd: future })).length, 3);
  assert.equal(
    (await invocations(fc, 'svc', 'slow', { status: 'Stopped' })).invocations[0]?.invocationPayload,
    'sleep:60000',
  );
  await assert.rejects(invocations(fc, 'svc', 'slow', { status: 'Sleeping' }), { code: 'InvalidArgument' });
  assert.deepEqual((await invocations(fc, 'other', 'slow')).invocations, []);

  await server.close();
  const second = await startTestServer(t, {}, dataDir);
  assert.equal((await record(second.fc, 'svc', 'slow', 'job-1')).status, 'Stopped');
  assert.equal((await record(second.fc, 'svc', 'slow', 'task-3')).returnPayload, 'echo:three');
});

test('stopping an invocation that waits for its retry ends it Stopped at once', async (t) => {
  const { fc } = await startTestServer(t, { asyncRetryBaseMs: 60_000 });
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  await asyncCall(fc, 'svc', 'fn', 'fail', 'retry-me');
  // After the first failure the retry is a minute away: the invocation is Enqueued with one attempt made.
  await until(
    async () => {
      const r = await record(fc, 'svc', 'fn', 'retry-me');
      return r.status === 'Enqueued' && r.attempts === 1;
    },
    { what: 'retry-me waits for its retry' },
  );
  await fc.put(path('svc', 'fn', 'retry-me'));
  const r = await record(fc, 'svc', 'fn', 'retry-me');
  assert.equal(r.status, 'Stopped');
  assert.match(r.invocationErrorMessage ?? '', /it failed/);
});

test("a function's temporary key may read async records and configs of its own service, not stop or change them", async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  await deployCustom(fc, 'other', 'fn', NODE_RUNTIME);
  await fc.putFunctionAsyncConfig('svc', 'fn', 'LATEST', { maxAsyncRetryAttempts: 0 });
  await fc.putFunctionAsyncConfig('other', 'fn', 'LATEST', { maxAsyncRetryAttempts: 0 });
  await asyncCall(fc, 'svc', 'fn', 'sleep:1', 'mine');
  const { headers } = JSON.parse((await invoke(fc, 'svc', 'fn', 'headers')).body) as {
    headers: Record<string, string>;
  };
  const role = new FC(ACCOUNT_ID, {
    accessKeyID: headers['X-Fc-Access-Key-Id'] as string,
    accessKeySecret: headers['X-Fc-Access-Key-Secret'] as string,
    securityToken: headers['X-Fc-Security-Token'] as string,
    region: 'local',
    endpoint: server.url,
  });
  assert.equal((await role.getFunctionAsyncConfig('svc', 'fn')).data.maxAsyncRetryAttempts, 0);
  assert.equal((await invocations(role, 'svc', 'fn')).invocations[0]?.invocationId, 'mine');
  await assert.rejects(role.getFunctionAsyncConfig('other', 'fn'), { code: 'AccessDenied' });
  await assert.rejects(invocations(role, 'other', 'fn'), { code: 'AccessDenied' });
  await assert.rejects(role.put(path('svc', 'fn', 'mine')), { code: 'AccessDenied' });
  await assert.rejects(role.putFunctionAsyncConfig('svc', 'fn', 'LATEST', {}), { code: 'AccessDenied' });
  await assert.rejects(role.deleteFunctionAsyncConfig('svc', 'fn', 'LATEST'), { code: 'AccessDenied' });
});

test('migration 8: async rows from an older data dir keep working, found by their request id', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-async-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'meta.db');
  const old = new Database(file);
  for (const migration of MIGRATIONS.slice(0, 6)) old.exec(migration);
  old.pragma('user_version = 6');
  old
    .prepare(
      `INSERT INTO async_invocations (id, service, function, qualifier, payload, status, next_attempt_at, created_at)
       VALUES ('r', 'svc', 'fn', 'LATEST', x'00', 'Enqueued', 0, 0)`,
    )
    .run();
  old.close();
  const store = new SqliteMetaStore(file);
  t.after(() => store.close());
  const found = await store.asyncQueue.findInvocation('svc', 'fn', 'r');
  assert.equal(found?.invocationId, 'r');
  assert.equal(await store.asyncQueue.requestStop('svc', 'fn', 'r'), 'stopped');
  assert.equal((await store.asyncQueue.getAsync('r'))?.status, 'Stopped');
});
