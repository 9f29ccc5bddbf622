import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';
import { type Key, ROOT_KEY, rawRequest, signedHeaders } from './helpers.js';

const V = '/2016-08-15';

// A function's temporary key (scoped to its service) may read its own service's tags and nothing else of the
// tag API; it may never exec into an instance, not even its own.
test('tags and instanceExec under a service-scoped key', async (t) => {
  const { fc, server } = await startTestServer(t, { instanceIdleMs: 600_000 });
  await deployCustom(fc, 'alpha', 'fn', NODE_RUNTIME);
  await fc.createService('bravo');
  await fc.tagResource('services/alpha', { team: 'a' });
  await fc.tagResource('services/bravo', { secret: 'bravo-only' });
  const called = await invoke(fc, 'alpha', 'fn', 'headers');
  const { headers } = JSON.parse(called.body) as { headers: Record<string, string> };
  const scoped: Key = {
    accessKeyId: headers['X-Fc-Access-Key-Id'] as string,
    accessKeySecret: headers['X-Fc-Access-Key-Secret'] as string,
    securityToken: headers['X-Fc-Security-Token'] as string,
  };
  const instanceId = called.headers['x-fc-instance-id'] ?? '';
  const send = (key: Key, method: string, target: string, body?: string, extra?: Record<string, string>) =>
    rawRequest(server.port, {
      method,
      target,
      headers: signedHeaders(key, method, target.split('?', 1)[0] ?? '', { body, extra }),
      body,
    });

  const own = await send(scoped, 'GET', `${V}/tag?resourceArn=services/alpha`);
  assert.equal(own.status, 200, own.body);
  assert.deepEqual(JSON.parse(own.body).tags, { team: 'a' });
  const ownArn = await send(scoped, 'GET', `${V}/tag?resourceArn=acs:fc:local:${ACCOUNT_ID}:services/alpha`);
  assert.equal(ownArn.status, 200, ownArn.body);

  for (const arn of [
    'services/bravo',
    `acs:fc:local:${ACCOUNT_ID}:services/bravo`,
    'services/alpha/../bravo',
    'services/bravo#services/alpha',
    'services/bravo&resourceArn=services/alpha',
    '',
  ]) {
    const answer = await send(scoped, 'GET', `${V}/tag?resourceArn=${encodeURIComponent(arn)}`);
    assert.ok([400, 403].includes(answer.status), `${arn}: ${answer.status} ${answer.body}`);
    assert.ok(!answer.body.includes('bravo-only'), `${arn} leaked bravo's tags`);
  }
  const twice = await send(scoped, 'GET', `${V}/tag?resourceArn=services/bravo&resourceArn=services/alpha`);
  assert.ok(!twice.body.includes('bravo-only'), twice.body);

  const tag = JSON.stringify({ resourceArn: 'services/alpha', tags: { evil: '1' } });
  assert.equal((await send(scoped, 'POST', `${V}/tag`, tag)).errorCode, 'AccessDenied');
  const untag = JSON.stringify({ resourceArn: 'services/alpha', all: true });
  assert.equal((await send(scoped, 'DELETE', `${V}/tag`, untag)).errorCode, 'AccessDenied');
  assert.deepEqual((await fc.getResourceTags({ resourceArn: 'services/alpha' })).data.tags, { team: 'a' });

  const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' };
  const key = { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
  const exec = `${V}/services/alpha/functions/fn/instances/${instanceId}/exec?command=ls`;
  const refused = await send(scoped, 'GET', exec, undefined, { ...upgrade, ...key });
  assert.equal(refused.status, 403, refused.body);
  assert.equal(refused.errorCode, 'AccessDenied');
  const unsigned = await rawRequest(server.port, {
    method: 'GET',
    target: exec,
    headers: { ...upgrade, ...key },
  });
  assert.equal(unsigned.errorCode, 'MissingRequiredHeader');
  const wrongKey = await send({ ...ROOT_KEY, accessKeySecret: 'nope' }, 'GET', exec, undefined, {
    ...upgrade,
    ...key,
  });
  assert.equal(wrongKey.errorCode, 'SignatureNotMatch');
});
