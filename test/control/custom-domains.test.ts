import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controlHarness, errorCode } from '../helpers/control.js';

const ROUTES = { routes: [{ path: '/*', serviceName: 'svc', functionName: 'fn' }] };
const FACE = { apiVersion: '2023-03-30' };

test('custom domains: lowercased names, auto names, the creating API face recorded, changes announced', async (t) => {
  const h = controlHarness(t);
  const created = await h.control.customDomains.create(
    { domainName: 'WWW.Example.com', routeConfig: ROUTES },
    FACE,
  );
  assert.equal(created.value.domainName, 'www.example.com');
  assert.equal(created.value.apiVersion, '2023-03-30', 'control knows no API version of its own');
  assert.equal(created.value.accountId, '1234567890123456');
  const auto = await h.control.customDomains.create({ domainName: 'auto', routeConfig: ROUTES }, FACE);
  assert.equal(auto.value.domainName, 'fn.svc.1234567890123456.localhost');
  assert.equal(
    await errorCode(
      h.control.customDomains.create({ domainName: 'www.example.com', routeConfig: ROUTES }, FACE),
    ),
    'DomainNameAlreadyExists',
  );

  const updated = await h.control.customDomains.update(
    'www.EXAMPLE.com',
    { protocol: 'HTTP,HTTPS' },
    { ifMatch: created.etag },
  );
  assert.deepEqual(updated.value.routeConfig, ROUTES);
  assert.equal(
    await errorCode(h.control.customDomains.update('www.example.com', {}, { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  await h.control.customDomains.delete('www.example.com');
  assert.equal(await errorCode(h.control.customDomains.get('www.example.com')), 'DomainNameNotFound');
  assert.deepEqual(h.events, [
    'domain www.example.com',
    'domain fn.svc.1234567890123456.localhost',
    'domain www.example.com',
    'domain www.example.com deleted',
  ]);
});
