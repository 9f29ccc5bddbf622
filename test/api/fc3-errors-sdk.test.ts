import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { signAcs3Request } from '../../src/api/acs3/index.js';
import { fc3, fc3Client, rejectsFc3 } from '../helpers/fc3.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startTestServer } from '../helpers/server.js';

// FC 3.0's refusals on a real server, as the official SDK and a raw client see them: ACS3 signature checks,
// an unknown path, and the FC 3.0 operations Kumo does not serve, all in FC 3.0's `{Code, Message, RequestId}`.
test('FC 3.0 refusals in FC 3.0 error shape', async (t) => {
  const { server } = await startTestServer(t);
  const client = fc3Client(server.url);

  await t.test('a wrong secret, a stale x-acs-date, a tampered body and a replay are refused', async () => {
    await rejectsFc3(
      fc3Client(server.url, { accessKeySecret: 'wrong-secret' }).listFunctions(
        new fc3.ListFunctionsRequest({}),
      ),
      'SignatureNotMatch',
      403,
    );
    const host = new URL(server.url).host;
    const path = '/2023-03-30/functions';
    const body = JSON.stringify({ functionName: 'tamper', runtime: 'nodejs20', handler: 'index.handler' });
    const sign = (date?: Date) =>
      signAcs3Request({
        method: 'POST',
        path,
        headers: { host, 'content-type': 'application/json', 'x-acs-action': 'CreateFunction' },
        body,
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
        date,
      });
    const send = async (headers: Record<string, string>, sent = body) => {
      const answer = await request(`${server.url}${path}`, { method: 'POST', headers, body: sent });
      return { status: answer.statusCode, json: (await answer.body.json()) as Record<string, string> };
    };
    const stale = await send(sign(new Date(Date.now() - 20 * 60_000)));
    assert.equal(stale.status, 403);
    assert.equal(stale.json.Code, 'RequestTimeTooSkewed');
    assert.ok(stale.json.RequestId && stale.json.Message);
    const tampered = await send(sign(), body.replace('tamper', 'tampex'));
    assert.equal(tampered.status, 400);
    assert.equal(tampered.json.Code, 'InvalidArgument');
    assert.match(tampered.json.Message ?? '', /x-acs-content-sha256/);
    const signed = sign();
    const first = await send(signed);
    assert.notEqual(first.json.Code, 'SignatureNonceUsed');
    const replay = await send(signed);
    assert.equal(replay.json.Code, 'SignatureNonceUsed');
  });

  await t.test('what is not served says so in FC 3.0 error shape', async () => {
    await rejectsFc3(
      client.describeRegions(new fc3.DescribeRegionsRequest({})),
      'NotSupported',
      400,
      /DescribeRegions/,
    );
    await rejectsFc3(
      client.listSessions('node3', new fc3.ListSessionsRequest({})),
      'NotSupported',
      400,
      /ListSessions/,
    );
    const host = new URL(server.url).host;
    const unknown = await request(`${server.url}/2023-03-30/nothing-here`, {
      headers: signAcs3Request({
        method: 'GET',
        path: '/2023-03-30/nothing-here',
        headers: { host },
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
      }),
    });
    assert.equal(unknown.statusCode, 400);
    const body = (await unknown.body.json()) as Record<string, string>;
    assert.equal(body.Code, 'PathNotSupported');
    assert.match(body.Message ?? '', /'GET' against '\/2023-03-30\/nothing-here' is not supported/);
    // FC 2.0's signature scheme on an FC 3.0 path is named as the wrong scheme.
    const fc2Signed = await request(`${server.url}/2023-03-30/functions`, {
      headers: { authorization: `FC ${ACCESS_KEY_ID}:abc`, date: new Date().toUTCString() },
    });
    assert.equal(fc2Signed.statusCode, 400);
    assert.match(
      ((await fc2Signed.body.json()) as { Message: string }).Message,
      /ACS3-HMAC-SHA256 signatures only/,
    );
  });
});
