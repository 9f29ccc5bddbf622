import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp } from '../helpers/app.js';
import { zipFiles } from '../helpers/code.js';

test('createService returns the service with defaults, an id, times and an etag', async (t) => {
  const { send } = await buildTestApp(t);
  const created = await send('POST', '/services', { serviceName: 'svc-a', description: 'first' });
  assert.equal(created.status, 200, created.body.toString());
  const service = created.json();
  assert.equal(service.serviceName, 'svc-a');
  assert.equal(service.description, 'first');
  assert.equal(service.internetAccess, true);
  assert.ok(service.serviceId);
  assert.ok(service.createdTime);
  assert.equal(service.lastModifiedTime, service.createdTime);
  assert.match(created.headers.etag ?? '', /^[0-9a-f]{32}$/);

  const got = await send('GET', '/services/svc-a');
  assert.equal(got.status, 200);
  assert.deepEqual(got.json(), service);
  assert.equal(got.headers.etag, created.headers.etag);
});

test('a service name is validated and unique', async (t) => {
  const { send } = await buildTestApp(t);
  assertFcError(
    await send('POST', '/services', { serviceName: 'bad name!' }),
    'InvalidArgument',
    400,
    /serviceName/,
  );
  assertFcError(await send('POST', '/services', {}), 'InvalidArgument', 400, /serviceName/);
  assertFcError(
    await send('POST', '/services', { serviceName: 'svc', description: 'x'.repeat(257) }),
    'InvalidArgument',
    400,
    /description/,
  );
  assert.equal((await send('POST', '/services', { serviceName: 'svc' })).status, 200);
  assertFcError(await send('POST', '/services', { serviceName: 'svc' }), 'ServiceAlreadyExists', 409, /svc/);
  assertFcError(await send('GET', '/services/nope'), 'ServiceNotFound', 404, /nope/);
});

test('updateService merges fields and keeps createdTime; If-Match guards it (412 on a stale etag)', async (t) => {
  const { send } = await buildTestApp(t);
  const created = await send('POST', '/services', { serviceName: 'svc', description: 'first', role: 'r' });
  const etag = created.headers.etag ?? '';

  const updated = await send('PUT', '/services/svc', { description: 'second' }, { 'if-match': etag });
  assert.equal(updated.status, 200, updated.body.toString());
  assert.equal(updated.json().description, 'second');
  assert.equal(updated.json().role, 'r', 'fields not given keep their value');
  assert.equal(updated.json().createdTime, created.json().createdTime);
  assert.notEqual(updated.headers.etag, etag);

  assertFcError(
    await send('PUT', '/services/svc', { description: 'x' }, { 'if-match': etag }),
    'PreconditionFailed',
    412,
    new RegExp(etag),
  );
  assert.equal((await send('GET', '/services/svc')).json().description, 'second', 'the 412 changed nothing');

  let current = updated.headers.etag ?? '';
  for (const quote of [(e: string) => `"${e}"`, (e: string) => `W/"${e}"`, () => '*']) {
    const ifMatch = quote(current);
    const again = await send('PUT', '/services/svc', { description: ifMatch }, { 'if-match': ifMatch });
    assert.equal(again.status, 200, `If-Match ${ifMatch}: ${again.body.toString()}`);
    assert.equal(again.json().description, ifMatch);
    current = again.headers.etag ?? '';
  }
  assertFcError(await send('PUT', '/services/nope', {}), 'ServiceNotFound', 404);
  assertFcError(
    await send('PUT', '/services/svc', { internetAccess: 'yes' }),
    'InvalidArgument',
    400,
    /internetAccess/,
  );
});

test('deleteService: If-Match, ServiceNotEmpty while it has functions, then gone', async (t) => {
  const { send } = await buildTestApp(t);
  const created = await send('POST', '/services', { serviceName: 'svc' });
  const code = { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\n' }) };
  const fn = await send('POST', '/services/svc/functions', { functionName: 'fn', runtime: 'custom', code });
  assert.equal(fn.status, 200, fn.body.toString());
  assertFcError(await send('DELETE', '/services/svc'), 'ServiceNotEmpty', 409, /1 function/);
  assert.equal((await send('DELETE', '/services/svc/functions/fn')).status, 204);
  assertFcError(
    await send('DELETE', '/services/svc', undefined, { 'if-match': 'stale' }),
    'PreconditionFailed',
    412,
  );
  const deleted = await send('DELETE', '/services/svc', undefined, {
    'if-match': created.headers.etag ?? '',
  });
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body.length, 0);
  assertFcError(await send('GET', '/services/svc'), 'ServiceNotFound', 404);
  assertFcError(await send('DELETE', '/services/svc'), 'ServiceNotFound', 404);
});

test('a qualified service reference: LATEST resolves, a version or alias does not exist yet', async (t) => {
  const { send } = await buildTestApp(t);
  await send('POST', '/services', { serviceName: 'svc' });
  assert.equal((await send('GET', '/services/svc.LATEST')).json().serviceName, 'svc');
  assert.equal((await send('GET', '/services/svc?qualifier=LATEST')).status, 200);
  assertFcError(await send('GET', '/services/svc.1'), 'VersionNotFound', 404, /version '1'/);
  assertFcError(await send('GET', '/services/svc.prod'), 'AliasNotFound', 404, /alias 'prod'/);
  assertFcError(await send('GET', '/services/svc?qualifier=prod'), 'AliasNotFound', 404);
  assertFcError(
    await send('GET', '/services/svc.LATEST?qualifier=prod'),
    'InvalidArgument',
    400,
    /qualifier/,
  );
  assertFcError(await send('PUT', '/services/svc.prod', { description: 'x' }), 'AliasNotFound', 404);
  assertFcError(await send('DELETE', '/services/svc.3'), 'VersionNotFound', 404);
  assert.equal(
    (await send('GET', '/services/svc')).status,
    200,
    'a refused qualified delete kept the service',
  );
  assertFcError(await send('GET', '/services/nope.prod'), 'ServiceNotFound', 404);
});
