import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { sign } from '../../src/api/index.js';
import { deployCustom, NODE_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { ROOT_KEY, rawRequest, sdkMd5, signedHeaders } from './helpers.js';

const V = '/2016-08-15';
const MINUTE = 60_000;
const FN = `${V}/services/svc/functions/fn`;

test('signed dates: a captured request replayed outside the 15-minute window is refused', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  const send = (headers: Record<string, string>, method = 'DELETE', target = FN) =>
    rawRequest(server.port, { method, target, headers });

  // A DELETE signed 16 minutes ago (or with a clock 16 minutes ahead) is refused and deletes nothing.
  for (const offset of [-16 * MINUTE, 16 * MINUTE, -24 * 60 * MINUTE]) {
    const replay = await send(signedHeaders(ROOT_KEY, 'DELETE', FN, { date: new Date(Date.now() + offset) }));
    assert.equal(replay.status, 403, replay.body);
    assert.equal(replay.errorCode, 'RequestTimeTooSkewed');
  }
  // x-fc-date, when sent, is the date that counts (it is signed too): an old one with a fresh Date fails.
  const oldFcDate = signedHeaders(ROOT_KEY, 'DELETE', FN, {
    extra: { 'x-fc-date': new Date(Date.now() - 20 * MINUTE).toUTCString() },
  });
  assert.equal((await send(oldFcDate)).errorCode, 'RequestTimeTooSkewed');
  // Refreshing the date of a captured request breaks its signature.
  const captured = signedHeaders(ROOT_KEY, 'DELETE', FN, { date: new Date(Date.now() - 16 * MINUTE) });
  const refreshed = await send({ ...captured, date: new Date().toUTCString() });
  assert.equal(refreshed.errorCode, 'SignatureNotMatch');
  // No date at all.
  // No date at all (validly signed over an empty Date line).
  const undated: Record<string, string> = { accept: 'application/json' };
  undated.authorization = `FC ${ROOT_KEY.accessKeyId}:${sign(ROOT_KEY.accessKeySecret, 'DELETE', undated, FN)}`;
  const noDate = await send(undated);
  assert.equal(noDate.status, 400, noDate.body);
  assert.equal(noDate.errorCode, 'MissingRequiredHeader');
  assert.equal((await fc.getFunction('svc', 'fn')).data.functionName, 'fn', 'nothing was deleted');

  // Inside the window (a clock 14 minutes off) the request is valid: the DELETE goes through.
  const late = await send(
    signedHeaders(ROOT_KEY, 'DELETE', FN, { date: new Date(Date.now() - 14 * MINUTE) }),
  );
  assert.equal(late.status, 204, late.body);
  await assert.rejects(fc.getFunction('svc', 'fn'), { code: 'FunctionNotFound' });
});

test('Content-MD5 binds the body: a body swapped under a signed MD5 is refused', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME, { environmentVariables: { MODE: 'safe' } });
  const signed = JSON.stringify({ environmentVariables: { MODE: 'signed' } });
  const swapped = JSON.stringify({ environmentVariables: { MODE: 'evil!!' } }); // same length
  const headers = signedHeaders(ROOT_KEY, 'PUT', FN, { body: signed });
  const update = (body: string, extra: Record<string, string> = {}) =>
    rawRequest(server.port, { method: 'PUT', target: FN, headers: { ...headers, ...extra }, body });

  const refused = await update(swapped);
  assert.equal(refused.status, 400, refused.body);
  assert.equal(refused.errorCode, 'InvalidArgument');
  assert.match(refused.body, /Content-MD5/);
  // Re-computing the MD5 for the new body breaks the signature instead.
  const remd5 = await update(swapped, { 'content-md5': sdkMd5(swapped) });
  assert.equal(remd5.errorCode, 'SignatureNotMatch');
  assert.deepEqual((await fc.getFunction('svc', 'fn')).data.environmentVariables, { MODE: 'safe' });

  // The genuine body passes, in the SDK's md5 form and in RFC 1864's.
  assert.equal((await update(signed)).status, 200);
  assert.deepEqual((await fc.getFunction('svc', 'fn')).data.environmentVariables, { MODE: 'signed' });
  const rfc = JSON.stringify({ environmentVariables: { MODE: 'rfc1864' } });
  const rfcMd5 = createHash('md5').update(rfc).digest('base64');
  const rfcUpdate = await rawRequest(server.port, {
    method: 'PUT',
    target: FN,
    headers: signedHeaders(ROOT_KEY, 'PUT', FN, { body: rfc, contentMd5: rfcMd5 }),
    body: rfc,
  });
  assert.equal(rfcUpdate.status, 200, rfcUpdate.body);
  // A GET carrying a Content-MD5 that is not the (empty) body's is refused too.
  const getWithMd5 = await rawRequest(server.port, {
    method: 'GET',
    target: FN,
    headers: signedHeaders(ROOT_KEY, 'GET', FN, { extra: { 'content-md5': sdkMd5('x') } }),
  });
  assert.equal(getWithMd5.status, 400, getWithMd5.body);
});

test('the signature covers exactly the routed resource', async (t) => {
  const { fc, server } = await startTestServer(t);
  await fc.createService('a');
  await fc.createService('b');
  const get = (target: string, signedPath: string) =>
    rawRequest(server.port, { method: 'GET', target, headers: signedHeaders(ROOT_KEY, 'GET', signedPath) });

  assert.equal((await get(`${V}/services/a`, `${V}/services/a`)).status, 200);
  assert.equal((await get(`${V}/services/b`, `${V}/services/a`)).errorCode, 'SignatureNotMatch');
  assert.equal((await get(`${V}/services/a`, `${V}/services/a/`)).errorCode, 'SignatureNotMatch');
  assert.equal(
    (await get(`${V}/services/a?x=1`, `${V}/services/a?x=1`)).status,
    200,
    'query is not signed (FC)',
  );
  // An encoding that is needed (a space) is signed decoded, as routed; the raw spelling does not verify.
  const spaced = `${V}/services/a%20b`;
  assert.equal((await get(spaced, `${V}/services/a b`)).errorCode, 'ServiceNotFound');
  assert.equal((await get(spaced, spaced)).errorCode, 'SignatureNotMatch');
});

test('an HTTP trigger with authType function checks the signed Content-MD5 before the function sees the body', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'web', NODE_RUNTIME);
  await fc.post('/services/svc/functions/web/triggers', {
    triggerName: 'http',
    triggerType: 'http',
    triggerConfig: { authType: 'function', methods: ['POST'] },
  });
  const target = `${V}/proxy/svc/web/`;
  const headers = signedHeaders(ROOT_KEY, 'POST', target, { body: 'stats' });
  const post = (body: string) => rawRequest(server.port, { method: 'POST', target, headers, body });
  const swapped = await post('crash');
  assert.equal(swapped.status, 400, swapped.body);
  assert.equal(swapped.errorCode, 'InvalidArgument');
  const genuine = await post('stats');
  assert.equal(genuine.status, 200, genuine.body);
  assert.equal((JSON.parse(genuine.body) as { calls: number }).calls, 1, 'the swapped body never reached it');
});
