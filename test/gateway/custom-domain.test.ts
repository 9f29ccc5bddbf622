import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { request } from 'undici';
import { deployCustom } from '../helpers/functions.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

const HTTP_RUNTIME = {
  bootstrap: readFileSync(new URL('../fixtures/custom/node-http-bootstrap.js', import.meta.url), 'utf8'),
  'package.json': '{"type":"commonjs"}',
};

test('custom domains route by Host: exact path, longest wildcard, methods; auto names under .localhost', async (t) => {
  const { fc, server } = await startTestServer(t);
  for (const name of ['api', 'site', 'exact']) {
    await deployCustom(fc, 'web', name, HTTP_RUNTIME);
    await fc.post(`/services/web/functions/${name}/triggers`, {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST', 'PUT', 'DELETE'] },
    });
  }
  const created = await fc.createCustomDomain('Shop.Example.com', {
    protocol: 'HTTP',
    routeConfig: {
      routes: [
        { path: '/*', serviceName: 'web', functionName: 'site' },
        { path: '/api/*', serviceName: 'web', functionName: 'api', methods: ['GET', 'POST'] },
        { path: '/exact', serviceName: 'web', functionName: 'exact' },
      ],
    },
  });
  assert.equal(created.data.domainName, 'shop.example.com');
  assert.equal(created.data.accountId, ACCOUNT_ID);

  const call = async (path: string, method = 'GET', host = 'shop.example.com:8080') => {
    const response = await request(`${server.url}${path}`, { method: method as 'GET', headers: { host } });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      text,
      json: () => JSON.parse(text) as { url: string; basePath: string },
    };
  };
  const api = await call('/api/v1/items?id=7');
  assert.equal(api.status, 200);
  assert.equal(api.json().url, '/api/v1/items?id=7', 'the function sees the whole path and query');
  assert.equal((await call('/exact')).status, 200);
  assert.equal((await call('/', 'GET')).json().url, '/');
  assert.equal(
    (await call('/api/x', 'PUT')).status,
    403,
    "the route's methods are enforced (FC: 403 FcCommonError)",
  );
  assert.equal((await call('/anything/else', 'PUT')).status, 200, '/* takes everything else');
  const healthz = await call('/healthz', 'GET', '127.0.0.1');
  assert.equal(healthz.status, 200, 'other hosts are not routed to the domain');

  const auto = await fc.createCustomDomain('auto', {
    routeConfig: { routes: [{ path: '/*', serviceName: 'web', functionName: 'api' }] },
  });
  assert.equal(auto.data.domainName, `api.web.${ACCOUNT_ID}.localhost`);
  assert.equal((await call('/x', 'GET', auto.data.domainName as string)).json().url, '/x');

  await fc.deleteCustomDomain('shop.example.com');
  assert.equal((await call('/api/v1/items')).status, 400, 'a deleted domain no longer routes');
  const listed = await fc.listCustomDomains();
  assert.deepEqual(
    listed.data.customDomains.map((d) => d.domainName),
    [auto.data.domainName],
  );
});
