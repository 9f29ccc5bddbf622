import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp } from '../helpers/app.js';
import { ACCOUNT_ID } from '../helpers/credentials.js';

const ROUTES = {
  routes: [{ path: '/api/*', serviceName: 'My_Svc', functionName: 'Fn_1', methods: ['get'] }],
};

test('createCustomDomain lowercases the name, defaults HTTP, records the account; the gateway is told', async (t) => {
  const app = await buildTestApp(t);
  const created = await app.send('POST', '/custom-domains', {
    DomainName: 'API.Example.com',
    RouteConfig: ROUTES,
  });
  assert.equal(created.status, 200, created.body.toString());
  const domain = created.json();
  assert.equal(domain.domainName, 'api.example.com');
  assert.equal(domain.protocol, 'HTTP');
  assert.equal(domain.accountId, ACCOUNT_ID);
  assert.equal(domain.apiVersion, '2016-08-15');
  assert.deepEqual(domain.routeConfig, { routes: [{ ...ROUTES.routes[0], methods: ['GET'] }] });
  assert.deepEqual(
    app.events.domainsChanged.map((e) => [e.domain.domainName, e.deleted]),
    [['api.example.com', false]],
  );

  const got = await app.send('GET', '/custom-domains/API.EXAMPLE.COM');
  assert.deepEqual(got.json(), domain, 'names are case-insensitive');
  assert.equal(got.headers.etag, created.headers.etag);
  assertFcError(
    await app.send('POST', '/custom-domains', { domainName: 'api.example.com', routeConfig: ROUTES }),
    'DomainNameAlreadyExists',
    409,
  );
});

test("an 'auto' domain is named after its first route under .localhost", async (t) => {
  const app = await buildTestApp(t);
  const created = await app.send('POST', '/custom-domains', { domainName: 'auto', routeConfig: ROUTES });
  assert.equal(created.json().domainName, `fn-1.my-svc.${ACCOUNT_ID}.localhost`);
});

test('a domain without routes is accepted as FC does; routes are added later by an update', async (t) => {
  const app = await buildTestApp(t);
  const bare = await app.send('POST', '/custom-domains', { domainName: 'bare.example.com' });
  assert.equal(bare.status, 200, bare.body.toString());
  assert.deepEqual(bare.json().routeConfig, { routes: [] });
  const empty = await app.send('POST', '/custom-domains', { domainName: 'e.example.com', routeConfig: {} });
  assert.deepEqual(empty.json().routeConfig, { routes: [] });
  const updated = await app.send('PUT', '/custom-domains/bare.example.com', { routeConfig: ROUTES });
  assert.equal(updated.status, 200, updated.body.toString());
  assert.deepEqual(
    updated.json<{ routeConfig: { routes: { path: string }[] } }>().routeConfig.routes.map((r) => r.path),
    ['/api/*'],
  );
  assertFcError(
    await app.send('POST', '/custom-domains', { domainName: 'auto' }),
    'InvalidArgument',
    400,
    /auto/,
  );
});

test('bad domains and routes are refused with InvalidArgument', async (t) => {
  const app = await buildTestApp(t);
  const create = (body: object) => app.send('POST', '/custom-domains', body);
  assertFcError(
    await create({ domainName: 'not a host', routeConfig: ROUTES }),
    'InvalidArgument',
    400,
    /domainName/,
  );
  assertFcError(
    await create({
      domainName: 'a.example.com',
      routeConfig: { routes: [{ path: 'x', serviceName: 's', functionName: 'f' }] },
    }),
    'InvalidArgument',
    400,
    /path/,
  );
  assertFcError(
    await create({ domainName: 'a.example.com', protocol: 'FTP', routeConfig: ROUTES }),
    'InvalidArgument',
    400,
    /protocol/,
  );
  assert.deepEqual((await app.send('GET', '/custom-domains')).json().customDomains, []);
  assert.deepEqual(app.events.domainsChanged, []);
});

test('updateCustomDomain merges and replaces routes whole; delete; both honour If-Match', async (t) => {
  const app = await buildTestApp(t);
  const created = await app.send('POST', '/custom-domains', {
    domainName: 'a.example.com',
    routeConfig: ROUTES,
  });
  const etag = created.headers.etag ?? '';
  const routes = { routes: [{ path: '/', serviceName: 's', functionName: 'f' }] };
  const updated = await app.send(
    'PUT',
    '/custom-domains/a.example.com',
    { routeConfig: routes },
    { 'if-match': etag },
  );
  assert.equal(updated.status, 200, updated.body.toString());
  assert.deepEqual(updated.json().routeConfig, routes);
  assert.equal(updated.json().createdTime, created.json().createdTime);
  const protocol = await app.send('PUT', '/custom-domains/a.example.com', { protocol: 'HTTP,HTTPS' });
  assert.deepEqual(protocol.json().routeConfig, routes, 'a body without routeConfig keeps the routes');

  assertFcError(
    await app.send('PUT', '/custom-domains/a.example.com', {}, { 'if-match': etag }),
    'PreconditionFailed',
    412,
  );
  assertFcError(
    await app.send('DELETE', '/custom-domains/a.example.com', undefined, { 'if-match': etag }),
    'PreconditionFailed',
    412,
  );
  const deleted = await app.send('DELETE', '/custom-domains/A.example.com', undefined, {
    'if-match': protocol.headers.etag ?? '',
  });
  assert.equal(deleted.status, 204);
  assertFcError(await app.send('GET', '/custom-domains/a.example.com'), 'DomainNameNotFound', 404);
  assertFcError(await app.send('PUT', '/custom-domains/a.example.com', {}), 'DomainNameNotFound', 404);
  assert.deepEqual(
    app.events.domainsChanged.map((e) => e.deleted),
    [false, false, false, true],
  );
});
