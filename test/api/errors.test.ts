import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp } from '../helpers/app.js';
import { ACCESS_KEY_ID } from '../helpers/credentials.js';

test('every error is FC JSON with the request id, whatever failed', async (t) => {
  const { send } = await buildTestApp(t);
  assertFcError(
    await send('GET', '/no/such/path'),
    'PathNotSupported',
    400,
    /'GET' against '\/2016-08-15\/no\/such\/path'/,
  );
  assertFcError(await send('PATCH', '/services'), 'PathNotSupported', 400);
  assertFcError(await send('POST', '/services', '{"serviceName":'), 'InvalidArgument', 400, /not valid JSON/);
  assertFcError(await send('POST', '/services', '"a string"'), 'InvalidArgument', 400, /JSON object/);
  assertFcError(await send('POST', '/services', ''), 'InvalidArgument', 400, /serviceName/);
  const ok = await send('GET', '/services');
  assert.ok(ok.headers['x-fc-request-id'], 'successes carry the request id too');
});

test('the signature is checked before anything else', async (t) => {
  const { send } = await buildTestApp(t);
  assertFcError(
    await send('GET', '/services', undefined, { authorization: `FC ${ACCESS_KEY_ID}:bm90IGl0` }),
    'SignatureNotMatch',
    403,
  );
  assertFcError(
    await send('GET', '/services', undefined, { authorization: 'FC NOSUCHKEY:bm90IGl0' }),
    'InvalidAccessKeyID',
    403,
    /NOSUCHKEY/,
  );
  assertFcError(
    await send('GET', '/services', undefined, { authorization: 'Bearer x' }),
    'MissingRequiredHeader',
    400,
  );
  assertFcError(
    await send('POST', '/services', { serviceName: 'x' }, { authorization: `FC ${ACCESS_KEY_ID}:bm90IGl0` }),
    'SignatureNotMatch',
    403,
  );
  assertFcError(await send('GET', '/services/x'), 'ServiceNotFound', 404, /x/);
});

test('a body over the limit is EntityTooLarge, not a crash', async (t) => {
  const { send } = await buildTestApp(t, { maxZipBytes: 1024 });
  const body = Buffer.alloc(2 * 1024 * 1024, 'a');
  assertFcError(
    await send('POST', '/services', body),
    'EntityTooLarge',
    400,
    /payload size exceeds maximum allowed size \(262144 bytes\)/,
  );
});
