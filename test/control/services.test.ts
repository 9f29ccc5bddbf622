import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageQuery } from '../../src/control/list.js';
import { LIMITS } from '../../src/model/index.js';
import { controlHarness, customFunction, errorCode } from '../helpers/control.js';

test('services: create with defaults, update merges, delete only when empty; If-Match on both', async (t) => {
  const h = controlHarness(t);
  const created = await h.control.services.create({ ServiceName: 'svc', Role: 'r' });
  assert.equal(created.value.serviceName, 'svc');
  assert.equal(created.value.role, 'r', 'keys in any case');
  assert.equal(created.value.internetAccess, true);
  assert.equal(created.value.description, '');
  assert.ok(created.value.serviceId);
  assert.equal(await errorCode(h.control.services.create({ serviceName: 'svc' })), 'ServiceAlreadyExists');
  assert.equal(await errorCode(h.control.services.create({ serviceName: '-bad' })), 'InvalidArgument');

  const updated = await h.control.services.update('svc', { description: 'd' }, { ifMatch: created.etag });
  assert.equal(updated.value.role, 'r');
  assert.equal(updated.value.description, 'd');
  assert.equal(
    await errorCode(h.control.services.update('svc', {}, { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  assert.equal(await errorCode(h.control.services.update('svc', {}, { qualifier: 'prod' })), 'AliasNotFound');

  await h.control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  assert.equal(await errorCode(h.control.services.delete('svc')), 'ServiceNotEmpty');
  await h.control.functions.delete({ serviceName: 'svc', functionName: 'fn' });
  assert.equal(
    await errorCode(h.control.services.delete('svc', { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  await h.control.services.delete('svc', { ifMatch: updated.etag });
  assert.equal(await errorCode(h.control.services.get('svc')), 'ServiceNotFound');
});

test('pageQuery: FC paging rules apart from any API', () => {
  assert.deepEqual(pageQuery({}), {
    limit: LIMITS.listLimitMax,
    prefix: undefined,
    startKey: undefined,
    nextToken: undefined,
  });
  assert.equal(pageQuery({ limit: 7 }).limit, 7);
  assert.equal(pageQuery({ limit: 1000 }).limit, LIMITS.listLimitMax);
  assert.equal(pageQuery({ prefix: '', startKey: '', nextToken: '' }).prefix, undefined, 'empty means unset');
  for (const limit of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => pageQuery({ limit }), /limit must be a positive integer/);
  }
});

test('services: an update gives every function of the service new instances (env, role, internetAccess)', async (t) => {
  const h = controlHarness(t);
  await h.control.services.create({ serviceName: 'svc' });
  await h.control.functions.create({ serviceName: 'svc' }, await customFunction('a'));
  await h.control.functions.create({ serviceName: 'svc' }, await customFunction('b'));
  await h.control.services.create({ serviceName: 'other' });
  await h.control.functions.create({ serviceName: 'other' }, await customFunction('c'));
  h.events.length = 0;
  await h.control.services.update('svc', { internetAccess: false });
  assert.deepEqual(h.events.sort(), ['function svc/a', 'function svc/b']);
});
