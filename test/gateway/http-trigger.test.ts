import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { canonicalResource, sign } from '../../src/api/index.js';
import { deployCustom, functionLogs, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, forEachSandbox, startTestServer } from '../helpers/server.js';

const HTTP_RUNTIME = {
  bootstrap: readFileSync(new URL('../fixtures/custom/node-http-bootstrap.js', import.meta.url), 'utf8'),
  'package.json': '{"type":"commonjs"}',
};

forEachSandbox((sandbox) => {
  test('HTTP trigger: method, path, query, headers and body pass through both ways, streamed', async (t) => {
    const { fc, server, client } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'web', 'app', HTTP_RUNTIME);
    const base = `${server.url}/2016-08-15/proxy/web/app`;
    const before = await request(`${base}/hello`);
    assert.equal(before.statusCode, 404, 'no HTTP trigger yet: not reachable');
    await before.body.dump();

    const created = await fc.post('/services/web/functions/app/triggers', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: JSON.stringify({
        AuthType: 'ANONYMOUS',
        Methods: ['GET', 'POST', 'HEAD', 'OPTIONS', 'DELETE'],
      }),
    });
    const trigger = created.data as { urlInternet: string; triggerConfig: { authType: string } };
    assert.equal(trigger.triggerConfig.authType, 'anonymous');
    assert.equal(trigger.urlInternet, `${base}/`);

    const post = await request(`${base}/users/42?x=1&x=2&y=%20z`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'payload',
    });
    assert.equal(post.statusCode, 200);
    assert.deepEqual(post.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(post.headers['x-custom'], 'yes');
    assert.ok(post.headers['x-fc-request-id']);
    const seen = (await post.body.json()) as Record<string, unknown>;
    assert.deepEqual(seen, {
      method: 'POST',
      url: '/users/42?x=1&x=2&y=%20z',
      controlPath: '/http-invoke',
      basePath: '/2016-08-15/proxy/web/app',
      clientIp: '127.0.0.1',
      contentType: 'text/plain',
      bodyLength: 7,
      body: 'payload',
    });

    const status = await request(`${base}?status=418`);
    assert.equal(status.statusCode, 418, 'the function status comes back unchanged');
    assert.equal(((await status.body.json()) as { url: string }).url, '/?status=418');

    const binary = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => i % 256));
    const echoed = await request(`${base}/binary`, { method: 'POST', body: binary });
    assert.deepEqual(Buffer.from(await echoed.body.arrayBuffer()), binary);

    const fiveMb = Buffer.alloc(5 * 1024 * 1024, 'x');
    const large = await request(`${base}/binary`, { method: 'POST', body: fiveMb });
    assert.ok(
      Buffer.from(await large.body.arrayBuffer()).equals(fiveMb),
      'a 5 MB body goes and comes back whole',
    );
    const del = await request(`${base}/thing`, { method: 'DELETE' });
    assert.equal(((await del.body.json()) as { method: string }).method, 'DELETE');

    const chunked = await request(`${base}/binary`, {
      method: 'POST',
      body: Readable.from(
        (async function* () {
          yield Buffer.from('part1-');
          await sleep(50); // not a wait for a condition: a client that sends its body in two writes, apart
          yield Buffer.from('part2');
        })(),
      ),
    });
    assert.equal(await chunked.body.text(), 'part1-part2');

    const head = await request(`${base}/x`, { method: 'HEAD' });
    assert.equal(head.statusCode, 200);
    assert.equal(await head.body.text(), '');
    const options = await request(`${base}/x`, { method: 'OPTIONS' });
    assert.equal(options.statusCode, 200);
    await options.body.dump();

    const started = Date.now();
    const sse = await request(`${base}/sse`);
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of sse.body) {
      arrivals.push(Date.now() - started);
      text += chunk.toString();
    }
    assert.equal(text, 'data: tick 0\n\ndata: tick 1\n\ndata: tick 2\n\n');
    assert.ok(arrivals.length >= 2, 'events arrive as they are sent, not in one buffered chunk');

    // A client that hangs up mid-stream costs the function nothing: the same instance serves the next call.
    const first = await request(`${base}/x`);
    await first.body.dump();
    const hangUp = new AbortController();
    const partial = await request(`${base}/sse`, { signal: hangUp.signal });
    for await (const _chunk of partial.body) {
      hangUp.abort();
      break;
    }
    const hungUpId = String(partial.headers['x-fc-request-id']);
    await until(
      async () =>
        (await functionLogs(client, 'web', 'app', { requestId: hungUpId, text: 'FC Invoke End' })).length > 0,
      { what: `the call ${hungUpId} the client hung up on has ended` },
    );
    const after = await request(`${base}/x`);
    await after.body.dump();
    assert.equal(after.headers['x-fc-instance-id'], first.headers['x-fc-instance-id']);

    const put = await request(`${base}/x`, { method: 'PATCH', body: 'x' });
    assert.equal(put.statusCode, 403);
    assert.equal(((await put.body.json()) as { ErrorCode: string }).ErrorCode, 'MethodNotAllowed');
    // A changed trigger applies from the next request on (the gateway's trigger lookup is cached).
    await fc.updateTrigger('web', 'app', 'http', {
      triggerConfig: {
        authType: 'anonymous',
        methods: ['GET', 'POST', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH'],
      },
    });
    const patched = await request(`${base}/x`, { method: 'PATCH', body: 'x' });
    assert.equal(patched.statusCode, 200, 'PATCH is allowed once the trigger says so');
    await patched.body.dump();

    const tooBig = await request(`${base}/binary`, {
      method: 'POST',
      body: Buffer.alloc(6 * 1024 * 1024 + 1),
    });
    assert.equal(tooBig.statusCode, 400);
    await tooBig.body.dump();

    const crash = await request(`${base}/crash`);
    assert.equal(crash.statusCode, 502);
    assert.match(
      ((await crash.body.json()) as { errorMessage: string }).errorMessage,
      /Process exited unexpectedly/,
    );
  });

  test('HTTP trigger with authType function: FC signature or signed URL, expired URL refused', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'web', 'private', HTTP_RUNTIME);
    await fc.post('/services/web/functions/private/triggers', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'function', methods: ['GET'] },
    });
    const path = '/2016-08-15/proxy/web/private/secret';
    const anonymous = await request(`${server.url}${path}`);
    assert.equal(anonymous.statusCode, 400);
    assert.equal(((await anonymous.body.json()) as { ErrorCode: string }).ErrorCode, 'MissingRequiredHeader');

    const signed = await fc.get('/proxy/web/private/secret', { q: 'v' });
    assert.equal((signed.data as { url: string }).url, '/secret?q=v');

    const signUrl = (expires: number) => {
      const query = new URLSearchParams({
        'x-fc-expires': String(expires),
        'x-fc-access-key-id': ACCESS_KEY_ID,
      });
      const signature = sign(
        ACCESS_KEY_SECRET,
        'GET',
        {},
        canonicalResource(path, query, true),
        String(expires),
      );
      query.set('x-fc-signature', signature);
      return `${server.url}${path}?${query}`;
    };
    const valid = await request(signUrl(Math.floor(Date.now() / 1000) + 60));
    assert.equal(valid.statusCode, 200);
    await valid.body.dump();
    const expired = await request(signUrl(Math.floor(Date.now() / 1000) - 1));
    assert.equal(expired.statusCode, 403);
    assert.match(((await expired.body.json()) as { ErrorMessage: string }).ErrorMessage, /expired/);
  });
});

test('timer trigger: fires with the timer event; disabling stops it; bad cron is a 400', async (t) => {
  const { fc, client } = await startTestServer(t);
  await deployCustom(fc, 'cron', 'tick', NODE_RUNTIME);
  const bad = await client.send('POST', '/services/cron/functions/tick/triggers', {
    triggerName: 'bad',
    triggerType: 'timer',
    triggerConfig: { cronExpression: 'every now and then' },
  });
  assert.equal(bad.status, 400);
  const oss = await client.send('POST', '/services/cron/functions/tick/triggers', {
    triggerName: 'oss',
    triggerType: 'oss',
    triggerConfig: {},
  });
  assert.equal(oss.status, 400);
  assert.match(oss.body.toString(), /not supported here/);

  await client.json('POST', '/services/cron/functions/tick/triggers', {
    triggerName: 'every-second',
    triggerType: 'timer',
    triggerConfig: { cronExpression: '@every 1s', payload: 'hello timer', enable: true },
  });
  await until(async () => (await functionLogs(client, 'cron', 'tick', { text: 'triggerTime' })).length >= 2, {
    what: 'the timer fired twice',
  });
  await client.json('PUT', '/services/cron/functions/tick/triggers/every-second', {
    triggerConfig: { cronExpression: '@every 1s', payload: 'hello timer', enable: false },
  });
  const logs = await client.json<{ logs: { message: string }[] }>(
    'GET',
    '/services/cron/functions/tick/logs?text=triggerTime',
  );
  assert.ok(logs.logs.length >= 2, `fired at least twice: ${JSON.stringify(logs.logs)}`);
  const event = JSON.parse(/event (\{.*\})$/.exec(logs.logs[0]?.message ?? '')?.[1] ?? '{}');
  assert.equal(event.triggerName, 'every-second');
  assert.equal(event.payload, 'hello timer');
  assert.match(event.triggerTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // No fixed wait can show that something does not happen: a second timer, still enabled, is the clock. The
  // disabled one is counted after the witness's first firing (so a call already under way has ended), and
  // checked after its next one: a full second of ticks in which an enabled timer fires at least once.
  await client.json('POST', '/services/cron/functions/tick/triggers', {
    triggerName: 'witness',
    triggerType: 'timer',
    triggerConfig: { cronExpression: '@every 1s', payload: 'witness', enable: true },
  });
  const disabledFirings = async () =>
    (await functionLogs(client, 'cron', 'tick', { text: '"every-second"' })).length;
  const witnessFirings = async () =>
    (await functionLogs(client, 'cron', 'tick', { text: '"witness"' })).length;
  await until(async () => (await witnessFirings()) >= 1, { what: 'the witness timer fired' });
  const count = await disabledFirings();
  assert.ok(count >= 2, `the disabled timer's firings are found by its name: ${count}`);
  await until(async () => (await witnessFirings()) >= 2, { what: 'the witness timer fired again' });
  assert.equal(await disabledFirings(), count, 'a disabled timer does not fire');
});
