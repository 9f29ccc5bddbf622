import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  enqueueAsync,
  type InvokeRequest,
  type Invoker,
  poolKeyOf,
  resolveTarget,
} from '../../src/invoke/index.js';
import { type Alias, chooseAliasVersion } from '../../src/model/index.js';
import { SqliteMetaStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { startAsyncWorker } from '../helpers/async.js';
import { controlHarness, customFunction } from '../helpers/control.js';
import { until } from '../helpers/poll.js';

const alias = (weights: Record<string, number>): Alias => ({
  serviceName: 'svc',
  aliasName: 'canary',
  versionId: '1',
  description: '',
  additionalVersionWeight: weights,
  createdTime: '',
  lastModifiedTime: '',
});

/** A deterministic random source that plays back `draws`. */
const playback = (...draws: number[]) => {
  let i = 0;
  return () => draws[i++ % draws.length] as number;
};

test('weighted choice: a draw below the weight goes to the additional version; 0 and 1 route all one way', () => {
  assert.equal(
    chooseAliasVersion(alias({ '2': 0.3 }), () => 0.29),
    '2',
  );
  assert.equal(
    chooseAliasVersion(alias({ '2': 0.3 }), () => 0.3),
    '1',
  );
  assert.equal(
    chooseAliasVersion(alias({ '2': 0.3 }), () => 0.99),
    '1',
  );
  assert.equal(
    chooseAliasVersion(alias({}), () => 0),
    '1',
  );
  for (const draw of [0, 0.5, 0.999999]) {
    assert.equal(
      chooseAliasVersion(alias({ '2': 0 }), () => draw),
      '1',
    );
    assert.equal(
      chooseAliasVersion(alias({ '2': 1 }), () => draw),
      '2',
    );
  }
  const random = playback(0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95);
  const picks = Array.from({ length: 10 }, () => chooseAliasVersion(alias({ '2': 0.2 }), random));
  assert.deepEqual(picks, ['2', '2', '1', '1', '1', '1', '1', '1', '1', '1']);
});

/** Service `svc` with function `fn`, published twice (version 2 after a change). */
async function twoVersions(t: TestContext) {
  const harness = controlHarness(t);
  const { control } = harness;
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  await control.versions.publish('svc', {});
  await control.functions.update({ serviceName: 'svc', functionName: 'fn' }, { description: 'two' });
  await control.versions.publish('svc', {});
  return harness;
}

test('resolveTarget: a weighted alias draws from the injected source; a version keeps a stable revision', async (t) => {
  const { control, store } = await twoVersions(t);
  await control.aliases.create('svc', {
    aliasName: 'canary',
    versionId: '1',
    additionalVersionWeight: { 2: 0.5 },
  });
  const ref = { serviceRef: 'svc.canary', functionName: 'fn' };
  const low = await resolveTarget(store, ref, () => 0.1);
  const high = await resolveTarget(store, ref, () => 0.9);
  assert.deepEqual([low.versionId, low.fn.description], ['2', 'two']);
  assert.deepEqual([high.versionId, high.qualifier], ['1', 'canary']);
  const latest = await resolveTarget(store, { serviceRef: 'svc', functionName: 'fn' });
  assert.notEqual(high.revision, latest.revision);
  await control.functions.update({ serviceName: 'svc', functionName: 'fn' }, { description: 'three' });
  assert.equal(
    (await resolveTarget(store, ref, () => 0.9)).revision,
    high.revision,
    'LATEST changes leave v1 alone',
  );
  assert.equal(poolKeyOf('svc', 'fn'), 'svc/fn');
  assert.equal(poolKeyOf('svc', 'fn', '2'), 'svc/fn@2');
});

test('deleting a version retires its instances only; updating LATEST retires only LATEST', async (t) => {
  const { control, events } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  await control.versions.publish('svc', {});
  await control.functions.update({ serviceName: 'svc', functionName: 'fn' }, { description: 'x' });
  await control.versions.delete('svc', '1');
  assert.deepEqual(
    events.filter((e) => e.startsWith('function')),
    ['function svc/fn', 'function svc/fn@1'],
  );
});

test('an async call is pinned to the version its alias named when it was accepted', async (t) => {
  const { control, store } = await twoVersions(t);
  await control.aliases.create('svc', { aliasName: 'prod', versionId: '1' });
  const target = await resolveTarget(store, { serviceRef: 'svc.prod', functionName: 'fn' });
  await enqueueAsync(store.asyncQueue, target, { requestId: 'req-1', payload: Buffer.from('event') });
  await control.aliases.update('svc', 'prod', { versionId: '2' });

  const calls: InvokeRequest[] = [];
  // The worker's seam to the invoker: this test is about which version runs, so record the request.
  const invoker = {
    invoke: async (request: InvokeRequest) => {
      calls.push(request);
      return { status: 200, headers: {}, body: Buffer.from('ok') };
    },
  } as unknown as Invoker;
  const _worker = await startAsyncWorker(t, store, invoker, 0);
  await until(async () => (await store.asyncQueue.getAsync('req-1'))?.status === 'Succeeded', {
    what: 'the async call ran',
  });
  assert.equal(calls.length, 1);
  assert.deepEqual([calls[0]?.qualifier, calls[0]?.versionId], ['prod', '1']);
  assert.notEqual(calls[0]?.fn.description, 'two', "version 1's function, not version 2's");
});

test('migration: a data dir from before releases keeps its rows and gains versions and aliases', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-migrate-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'meta.db');
  const old = new Database(file);
  for (const migration of MIGRATIONS.slice(0, 4)) old.exec(migration);
  old.pragma('user_version = 4');
  old
    .prepare("INSERT INTO services (name, data, etag) VALUES ('svc', ?, 'e1')")
    .run(JSON.stringify({ serviceName: 'svc', serviceId: 'id', createdTime: '', lastModifiedTime: '' }));
  old
    .prepare(
      `INSERT INTO async_invocations (id, service, function, qualifier, payload, status, next_attempt_at, created_at)
     VALUES ('r', 'svc', 'fn', 'LATEST', x'00', 'Succeeded', 0, 0)`,
    )
    .run();
  old.close();

  const store = new SqliteMetaStore(file);
  t.after(() => store.close());
  assert.equal((await store.getService('svc'))?.etag, 'e1');
  assert.equal((await store.asyncQueue.getAsync('r'))?.versionId, undefined);
  const version = await store.publishVersion(
    {
      serviceName: 'svc',
      description: '',
      createdTime: '',
      lastModifiedTime: '',
      service: (await store.getService('svc'))?.value as never,
      functions: [],
    },
    () => false,
  );
  assert.equal(version.value.versionId, '1');
});
