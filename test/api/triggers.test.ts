import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, withFunction } from '../helpers/app.js';

const BASE = '/services/svc/functions/fn/triggers';
const HTTP = {
  triggerName: 'web',
  triggerType: 'http',
  triggerConfig: { authType: 'ANONYMOUS', methods: ['get', 'POST'] },
};

test('an HTTP trigger is created with its config normalised and the URLs it is reachable at', async (t) => {
  const app = await withFunction(t);
  const created = await app.send('POST', BASE, HTTP);
  assert.equal(created.status, 200, created.body.toString());
  const trigger = created.json();
  assert.equal(trigger.triggerName, 'web');
  assert.equal(trigger.triggerType, 'http');
  assert.deepEqual(trigger.triggerConfig, { authType: 'anonymous', methods: ['GET', 'POST'] });
  assert.match(trigger.urlInternet as string, /\/2016-08-15\/proxy\/svc\/fn\/$/);
  assert.equal(trigger.urlIntranet, trigger.urlInternet);
  assert.equal('serviceName' in trigger, false);
  assert.ok(trigger.triggerId && trigger.createdTime && created.headers.etag);
  assert.equal((await app.store.httpTrigger('svc', 'fn'))?.triggerName, 'web', 'the gateway sees it at once');
  assert.deepEqual(
    app.events.triggersChanged.map((e) => [e.trigger.triggerName, e.deleted]),
    [['web', false]],
  );

  const got = await app.send('GET', `${BASE}/web`);
  assert.deepEqual(got.json(), trigger);
  assert.equal(got.headers.etag, created.headers.etag);
  assertFcError(await app.send('POST', BASE, HTTP), 'TriggerAlreadyExists', 409);
});

test('a timer trigger takes FC 3.0 style string configs in any key case; enable defaults to true', async (t) => {
  const app = await withFunction(t);
  const config = JSON.stringify({ CronExpression: '@every 5m', Payload: 'tick' });
  const created = await app.send('POST', BASE, {
    TriggerName: 'tick',
    TriggerType: 'Timer',
    TriggerConfig: config,
  });
  assert.equal(created.status, 200, created.body.toString());
  assert.deepEqual(created.json().triggerConfig, {
    cronExpression: '@every 5m',
    payload: 'tick',
    enable: true,
  });
  assert.equal('urlInternet' in created.json(), false);

  const listed = await app.send('GET', BASE);
  assert.deepEqual(
    (listed.json().triggers as { triggerName: string }[]).map((tr) => tr.triggerName),
    ['tick'],
  );
});

test('a trigger Kumo cannot fire, a bad config or an unknown qualifier is refused, and nothing is stored', async (t) => {
  const app = await withFunction(t);
  const create = (body: object) => app.send('POST', BASE, body);
  assertFcError(await create({ ...HTTP, triggerType: 'oss' }), 'InvalidArgument', 400, /would never fire/);
  assertFcError(
    await create({
      triggerName: 'tick',
      triggerType: 'timer',
      triggerConfig: { cronExpression: 'every day' },
    }),
    'InvalidArgument',
    400,
    /cronExpression/,
  );
  assertFcError(
    await create({ ...HTTP, triggerConfig: { authType: 'anonymous', methods: [] } }),
    'InvalidArgument',
    400,
    /methods/,
  );
  assertFcError(
    await create({ ...HTTP, triggerConfig: { authType: 'public', methods: ['GET'] } }),
    'InvalidArgument',
    400,
    /authType/,
  );
  assertFcError(await create({ ...HTTP, triggerConfig: '{not json' }), 'InvalidArgument', 400, /JSON/);
  assertFcError(await create({ ...HTTP, qualifier: 'prod' }), 'InvalidArgument', 400, /qualifier 'prod'/);
  assertFcError(await create({ ...HTTP, triggerName: 'bad name' }), 'InvalidArgument', 400, /triggerName/);
  assertFcError(
    await app.send('POST', '/services/svc/functions/nope/triggers', HTTP),
    'FunctionNotFound',
    404,
  );
  assert.equal((await create({ ...HTTP, qualifier: 'LATEST' })).status, 200, 'LATEST is a valid qualifier');
  await app.send('DELETE', `${BASE}/web`);

  const listed = await app.send('GET', BASE);
  assert.deepEqual(listed.json().triggers, []);
  assert.deepEqual(
    app.events.triggersChanged.map((e) => [e.trigger.triggerName, e.deleted]),
    [
      ['web', false],
      ['web', true],
    ],
    'only the trigger that was stored was announced',
  );
});

test('updateTrigger: the type cannot change, a new config replaces the old, If-Match guards it', async (t) => {
  const app = await withFunction(t);
  const created = await app.send('POST', BASE, HTTP);
  const etag = created.headers.etag ?? '';
  assertFcError(
    await app.send('PUT', `${BASE}/web`, { triggerType: 'timer' }),
    'InvalidArgument',
    400,
    /triggerType cannot change/,
  );

  const updated = await app.send(
    'PUT',
    `${BASE}/web`,
    { triggerType: 'HTTP', description: 'now', triggerConfig: { authType: 'function', methods: ['PUT'] } },
    { 'if-match': etag },
  );
  assert.equal(updated.status, 200, updated.body.toString());
  assert.deepEqual(updated.json().triggerConfig, { authType: 'function', methods: ['PUT'] });
  assert.equal(updated.json().description, 'now');
  assert.equal(updated.json().createdTime, created.json().createdTime);
  assert.equal((await app.store.httpTrigger('svc', 'fn'))?.description, 'now', 'the gateway sees the change');

  assertFcError(
    await app.send('PUT', `${BASE}/web`, { description: 'x' }, { 'if-match': etag }),
    'PreconditionFailed',
    412,
  );
  const kept = await app.send('PUT', `${BASE}/web`, { description: 'config kept' });
  assert.deepEqual(
    kept.json().triggerConfig,
    updated.json().triggerConfig,
    'a body without triggerConfig keeps it',
  );
  assertFcError(await app.send('PUT', `${BASE}/nope`, {}), 'TriggerNotFound', 404, /nope/);
});

test('deleteTrigger: If-Match, then TriggerNotFound; the change is announced', async (t) => {
  const app = await withFunction(t);
  const created = await app.send('POST', BASE, HTTP);
  assertFcError(
    await app.send('DELETE', `${BASE}/web`, undefined, { 'if-match': 'stale' }),
    'PreconditionFailed',
    412,
  );
  const deleted = await app.send('DELETE', `${BASE}/web`, undefined, {
    'if-match': created.headers.etag ?? '',
  });
  assert.equal(deleted.status, 204);
  assertFcError(await app.send('GET', `${BASE}/web`), 'TriggerNotFound', 404);
  assertFcError(await app.send('DELETE', `${BASE}/web`), 'TriggerNotFound', 404);
  assert.equal(await app.store.httpTrigger('svc', 'fn'), undefined);
  assert.deepEqual(app.events.triggersChanged.at(-1)?.deleted, true);
});
