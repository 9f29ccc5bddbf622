import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp, type InjectedResponse } from '../helpers/app.js';
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

const names = (response: InjectedResponse): string[] =>
  (response.json().services as { serviceName: string }[]).map((s) => s.serviceName);

test('listServices: limit and nextToken walk the pages in name order; prefix and startKey narrow them', async (t) => {
  const { send } = await buildTestApp(t);
  for (const name of ['svc-c', 'svc-a', 'other', 'svc-b']) {
    assert.equal((await send('POST', '/services', { serviceName: name })).status, 200);
  }
  const page1 = await send('GET', '/services?prefix=svc&limit=2');
  assert.deepEqual(names(page1), ['svc-a', 'svc-b']);
  const token = page1.json().nextToken as string;
  assert.ok(token);
  const page2 = await send('GET', `/services?prefix=svc&limit=2&nextToken=${token}`);
  assert.deepEqual(names(page2), ['svc-c']);
  assert.equal('nextToken' in page2.json(), false, 'the last page has no nextToken');

  assert.deepEqual(names(await send('GET', '/services?startKey=svc-b')), ['svc-b', 'svc-c']);
  assert.deepEqual(names(await send('GET', '/services')), ['other', 'svc-a', 'svc-b', 'svc-c']);
  assert.deepEqual(names(await send('GET', '/services?limit=')), ['other', 'svc-a', 'svc-b', 'svc-c']);
  assert.deepEqual(names(await send('GET', '/services?prefix=nothing')), []);
  // A token and a startKey together: the later of the two wins.
  assert.deepEqual(names(await send('GET', `/services?startKey=svc-a&nextToken=${token}`)), ['svc-c']);
});

test('limit must be a positive integer and is capped at 100', async (t) => {
  const { send, store } = await buildTestApp(t);
  for (const bad of ['0', '-1', 'abc', '2.5']) {
    assertFcError(await send('GET', `/services?limit=${bad}`), 'InvalidArgument', 400, /limit/);
  }
  const time = new Date().toISOString();
  for (let i = 0; i < 105; i++) {
    const serviceName = `s${String(i).padStart(3, '0')}`;
    await store.createService({
      serviceName,
      serviceId: serviceName,
      createdTime: time,
      lastModifiedTime: time,
    });
  }
  const capped = await send('GET', '/services?limit=1000');
  assert.equal(names(capped).length, 100);
  const rest = await send('GET', `/services?limit=1000&nextToken=${capped.json().nextToken}`);
  assert.deepEqual(names(rest), ['s100', 's101', 's102', 's103', 's104']);
  assert.equal(names(await send('GET', '/services')).length, 100, 'the default page is the maximum');
});

test('functions, triggers and custom domains page the same way', async (t) => {
  const { send, control } = await buildTestApp(t);
  await control.services.create({ serviceName: 'svc' });
  const domains = ['a.example.com', 'b.example.com', 'c.example.com'];
  for (const domainName of domains) {
    const routes = [{ path: '/*', serviceName: 'svc', functionName: 'fn' }];
    assert.equal(
      (await send('POST', '/custom-domains', { domainName, routeConfig: { routes } })).status,
      200,
    );
  }
  const first = await send('GET', '/custom-domains?limit=2');
  const listed = (r: InjectedResponse) =>
    (r.json().customDomains as { domainName: string }[]).map((d) => d.domainName);
  assert.deepEqual(listed(first), domains.slice(0, 2));
  const next = await send('GET', `/custom-domains?limit=2&nextToken=${first.json().nextToken}`);
  assert.deepEqual(listed(next), domains.slice(2));
  assertFcError(await send('GET', '/custom-domains?limit=0'), 'InvalidArgument', 400, /limit/);
  assertFcError(await send('GET', '/services/svc/functions?limit=x'), 'InvalidArgument', 400, /limit/);
  assertFcError(
    await send('GET', '/services/svc/functions/fn/triggers?limit=x'),
    'InvalidArgument',
    400,
    /limit/,
  );
});
