import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as openapiCore from '@alicloud/openapi-core';
import { NonceWindow, signAcs3Request, verifyAcs3Signature } from '../../src/api/acs3/index.js';
import { checkContentSha256 } from '../../src/api/acs3/verify.js';
import { KeyRing } from '../../src/api/auth.js';
import { FcError } from '../../src/model/index.js';

const AK = 'test-ak';
const SK = 'test-secret';
const host = '127.0.0.1:9000';
// CommonJS through Node's ESM loader: the named export sits on the default (module.exports) object too.
const OpenApiUtil = openapiCore.OpenApiUtil ?? openapiCore.default.OpenApiUtil;

function keys(): KeyRing {
  const ring = new KeyRing();
  ring.add(AK, { secret: SK });
  return ring;
}

const fcError = (code: string) => (error: unknown) => {
  assert.ok(error instanceof FcError, String(error));
  assert.equal(error.code, code, error.message);
  return true;
};

test('signAcs3Request signs exactly as @alicloud/openapi-core computes the Authorization header', () => {
  const body = JSON.stringify({ functionName: 'f', code: { zipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' } });
  const query = { qualifier: 'prod', prefix: "a b+c*!'()~", limit: '10' };
  const headers = signAcs3Request({
    method: 'POST',
    path: '/2023-03-30/functions/s%24f/invocations',
    query,
    headers: { host, 'content-type': 'application/json; charset=utf-8', 'x-acs-action': 'InvokeFunction' },
    body,
    accessKeyId: AK,
    accessKeySecret: SK,
  });
  const { authorization, ...signed } = headers;
  const expected = OpenApiUtil.getAuthorization(
    { pathname: '/2023-03-30/functions/s%24f/invocations', method: 'POST', query, headers: signed } as never,
    'ACS3-HMAC-SHA256',
    signed['x-acs-content-sha256'] ?? '',
    AK,
    SK,
  );
  assert.equal(authorization, expected);
});

test('verifyAcs3Signature accepts a signed request and refuses every change to it', () => {
  const sign = (body = '') =>
    signAcs3Request({
      method: 'PUT',
      path: '/2023-03-30/functions/f',
      query: { qualifier: 'LATEST' },
      headers: { host, 'content-type': 'application/json' },
      body,
      accessKeyId: AK,
      accessKeySecret: SK,
    });
  const request = (headers: Record<string, string>, url = '/2023-03-30/functions/f?qualifier=LATEST') => ({
    method: 'PUT',
    url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  });

  const good = sign('{"a":1}');
  assert.equal(verifyAcs3Signature(request(good), keys()).accessKeyId, AK);
  checkContentSha256(request(good).headers, Buffer.from('{"a":1}'));
  assert.throws(
    () => checkContentSha256(request(good).headers, Buffer.from('{"a":2}')),
    fcError('InvalidArgument'),
  );

  assert.throws(
    () => verifyAcs3Signature(request(good, '/2023-03-30/functions/f?qualifier=prod'), keys()),
    fcError('SignatureNotMatch'),
  );
  assert.throws(
    () => verifyAcs3Signature(request(good, '/2023-03-30/functions/g?qualifier=LATEST'), keys()),
    fcError('SignatureNotMatch'),
  );
  assert.throws(
    () => verifyAcs3Signature(request({ ...good, host: 'other:1' }), keys()),
    fcError('SignatureNotMatch'),
  );
  // An x-acs-* header the signature does not list could change what the request means: refused.
  assert.throws(
    () => verifyAcs3Signature(request({ ...good, 'x-acs-extra': '1' }), keys()),
    fcError('InvalidArgument'),
  );
  assert.throws(
    () =>
      verifyAcs3Signature(
        request({ ...good, authorization: good.authorization?.replace(AK, 'nope') ?? '' }),
        keys(),
      ),
    fcError('InvalidAccessKeyID'),
  );
  assert.throws(
    () => verifyAcs3Signature(request({ ...good, authorization: `FC ${AK}:abc` }), keys()),
    fcError('InvalidArgument'),
  );
  const { authorization: _a, ...unsigned } = good;
  assert.throws(() => verifyAcs3Signature(request(unsigned), keys()), fcError('MissingRequiredHeader'));

  const stale = signAcs3Request({
    method: 'PUT',
    path: '/2023-03-30/functions/f',
    query: { qualifier: 'LATEST' },
    headers: { host },
    accessKeyId: AK,
    accessKeySecret: SK,
    date: new Date(Date.now() + 16 * 60_000),
  });
  assert.throws(() => verifyAcs3Signature(request(stale), keys()), fcError('RequestTimeTooSkewed'));
});

test('a nonce is refused while its request is still acceptable; the window stays bounded', () => {
  const nonces = new NonceWindow(2);
  const now = 1_000_000;
  nonces.claim('a', now + 10, now);
  assert.throws(() => nonces.claim('a', now + 10, now), fcError('SignatureNonceUsed'));
  nonces.claim('b', now + 20, now);
  // Full: nothing has expired yet, so a new nonce is refused rather than forgetting one early.
  assert.throws(() => nonces.claim('c', now + 30, now), fcError('ResourceThrottled'));
  // Once `a` expired it makes room, and may be seen again (its request's date is no longer acceptable).
  nonces.claim('c', now + 30, now + 11);
  assert.equal(nonces.size, 2);
});

test("a full window forgets temporary keys' nonces first, never the account key's before they expire", () => {
  const nonces = new NonceWindow(3);
  const now = 1_000_000;
  nonces.claim('root-1', now + 100, now);
  nonces.claim('temp-1', now + 100, now, true);
  nonces.claim('temp-2', now + 100, now, true);
  // A flood of temporary-key requests replaces the oldest temporary nonce, and the account key keeps working.
  nonces.claim('temp-3', now + 100, now, true);
  nonces.claim('root-2', now + 100, now);
  assert.throws(() => nonces.claim('root-1', now + 100, now), fcError('SignatureNonceUsed'));
  assert.throws(() => nonces.claim('temp-3', now + 100, now, true), fcError('SignatureNonceUsed'));
  nonces.claim('root-3', now + 100, now);
  // Only the account key's nonces left: a new one is refused rather than forgetting one early.
  assert.throws(() => nonces.claim('root-4', now + 100, now), fcError('ResourceThrottled'));
});
