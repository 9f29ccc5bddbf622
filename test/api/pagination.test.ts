import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp, type InjectedResponse } from '../helpers/app.js';

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
