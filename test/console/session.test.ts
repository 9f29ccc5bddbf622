import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startTestServer } from '../helpers/server.js';

const CONSOLE = { 'x-kumo-console': '1' };

const ECHO = `exports.handler = (request, response) => {
  response.setHeader('set-cookie', ['theme=dark']);
  response.setHeader('service-worker-allowed', '/');
  response.setHeader('cross-origin-opener-policy', 'same-origin');
  response.setHeader('x-own', 'kept');
  response.send(JSON.stringify(request.headers));
};`;

async function signIn(url: string, secret = ACCESS_KEY_SECRET, token?: string): Promise<Response> {
  return fetch(`${url}/console/session`, {
    method: 'POST',
    headers: {
      ...CONSOLE,
      'content-type': 'application/json',
      ...(token && { 'x-kumo-console-session': token }),
    },
    body: JSON.stringify({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: secret }),
  });
}

/** The console headers with the session token from a sign-in answer (which sets no cookie). */
async function sessionOf(
  response: Response,
): Promise<{ 'x-kumo-console': string; 'x-kumo-console-session': string }> {
  assert.equal(response.headers.get('set-cookie'), null, 'no cookie: nothing ambient for a page to ride on');
  const { token } = (await response.json()) as { token?: string };
  assert.ok(typeof token === 'string' && token.length >= 40, 'the answer carries the session token');
  return { ...CONSOLE, 'x-kumo-console-session': token };
}

test('the console session: a header token, no cookie, fresh on each sign-in, useless on proxy paths, bounded guessing', async (t) => {
  const { server, fc } = await startTestServer(t);
  const services = (headers: Record<string, string>) =>
    fetch(`${server.url}/2016-08-15/services`, { headers });

  // Sign-in itself needs the console header (no login CSRF from another site's form).
  const noHeader = await fetch(`${server.url}/console/session`, {
    method: 'POST',
    body: JSON.stringify({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }),
  });
  assert.equal(noHeader.status, 403);
  assert.equal(noHeader.headers.get('set-cookie'), null);

  const first = await signIn(server.url);
  assert.equal(first.status, 200);
  assert.doesNotMatch(await first.clone().text(), new RegExp(ACCESS_KEY_SECRET));
  const session = await sessionOf(first);
  const token = session['x-kumo-console-session'];

  // The token works on the FC API only together with the console header.
  assert.equal((await services(session)).status, 200);
  const withoutHeader = await services({ 'x-kumo-console-session': token });
  assert.equal(withoutHeader.status, 400);
  assert.equal(((await withoutHeader.json()) as { ErrorCode: string }).ErrorCode, 'MissingRequiredHeader');
  assert.equal((await services(CONSOLE)).status, 403, 'the header alone is nothing');
  assert.equal((await services({ ...CONSOLE, 'x-kumo-console-session': 'made-up' })).status, 403);
  // A cookie named as the old session cookie counts for nothing.
  assert.equal((await services({ ...CONSOLE, cookie: `kumo_console=${token}` })).status, 403);
  // Another value of the header is not the console's.
  assert.equal((await services({ 'x-kumo-console': 'true', 'x-kumo-console-session': token })).status, 400);

  // Fixation: signing in again never keeps the token the client brought; the old one ends.
  const session2 = await sessionOf(await signIn(server.url, ACCESS_KEY_SECRET, token));
  assert.notEqual(session2['x-kumo-console-session'], token);
  assert.equal((await services(session)).status, 403);
  assert.equal((await services(session2)).status, 200);

  // HTTP-trigger proxy paths: the token grants nothing, the function never sees it, and the function's headers
  // that reach beyond its paths on the shared origin are dropped.
  await fc.createService('web');
  const zipFile = await zipFiles({ 'index.js': ECHO });
  for (const [name, authType] of [
    ['open', 'anonymous'],
    ['signed', 'function'],
  ]) {
    await fc.createFunction('web', {
      functionName: name,
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile },
    });
    await fc.post(`/services/web/functions/${name}/triggers`, {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType, methods: ['GET'] },
    });
  }
  const signedProxy = await fetch(`${server.url}/2016-08-15/proxy/web/signed/`, {
    headers: session2,
  });
  assert.equal(signedProxy.status, 400, 'a function-auth trigger still wants a signature');
  assert.equal(((await signedProxy.json()) as { ErrorCode: string }).ErrorCode, 'MissingRequiredHeader');
  const openProxy = await fetch(`${server.url}/2016-08-15/proxy/web/open/`, {
    headers: { ...session2, cookie: 'theme=light' },
  });
  assert.equal(openProxy.status, 200);
  const seen = (await openProxy.json()) as Record<string, string>;
  assert.equal(seen['x-kumo-console-session'], undefined, 'the function never sees a console token');
  assert.equal(seen.cookie, 'theme=light');
  assert.deepEqual(openProxy.headers.getSetCookie(), ['theme=dark']);
  assert.equal(openProxy.headers.get('x-own'), 'kept');
  assert.equal(
    openProxy.headers.get('service-worker-allowed'),
    null,
    'no service worker scope beyond its path',
  );
  assert.equal(openProxy.headers.get('cross-origin-opener-policy'), null, "no matching the console's COOP");

  // Sign-out ends the session at once.
  const out = await fetch(`${server.url}/console/session`, {
    method: 'DELETE',
    headers: session2,
  });
  assert.equal(out.status, 204);
  assert.equal((await services(session2)).status, 403);

  // Guessing is bounded: after 10 wrong secrets from one address even the right one waits.
  for (let i = 0; i < 10; i++) {
    const wrong = await signIn(server.url, `wrong-${i}`);
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { ErrorCode: string }).ErrorCode, 'SignatureNotMatch');
  }
  const blocked = await signIn(server.url);
  assert.equal(blocked.status, 429);
  assert.equal(((await blocked.json()) as { ErrorCode: string }).ErrorCode, 'TooManySignInAttempts');
  assert.equal(blocked.headers.get('set-cookie'), null);
  // The API itself, with signatures, is not locked out.
  assert.ok((await fc.listServices()).data.services.length >= 1);
});

test('the console page is served with a strict CSP, compressed, and a live tail ends when its session does', async (t) => {
  const { server, fc } = await startTestServer(t);
  const page = await fetch(`${server.url}/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(page.headers.get('content-encoding'), 'gzip');
  assert.match(await page.text(), /<script type="module" src="\/console\/app.js">/);

  await fc.createService('s');
  await fc.createFunction('s', {
    functionName: 'f',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: {
      zipFile: await zipFiles({
        'index.js': 'exports.handler = (e, c, cb) => { console.log("tailed"); cb(null, "ok"); };',
      }),
    },
  });
  const session = await sessionOf(await signIn(server.url));
  const tail = await fetch(`${server.url}/console/services/s/functions/f/tail`, { headers: session });
  assert.equal(tail.status, 200);
  assert.match(tail.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = (tail.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let received = '';
  const readUntil = async (pattern: RegExp) => {
    while (!pattern.test(received)) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    return pattern.test(received);
  };
  await fc.invokeFunction('s', 'f', '');
  assert.ok(await readUntil(/"message":"[^"]*tailed/), "the tail shows the call's line");
  await fetch(`${server.url}/console/session`, { method: 'DELETE', headers: session });
  assert.ok(await readUntil(/event: end\ndata: \{"reason":"signed out"\}/), 'the tail ends with the session');
  // The tail route wants the header as much as the API does.
  const noHeader = await fetch(`${server.url}/console/services/s/functions/f/tail`, {
    headers: { 'x-kumo-console-session': session['x-kumo-console-session'] },
  });
  assert.equal(noHeader.status, 403);
  // A tail still open when the server shuts down is ended, and does not hold the shutdown.
  const open = await fetch(`${server.url}/console/services/s/functions/f/tail`, {
    headers: await sessionOf(await signIn(server.url)),
  });
  const openReader = (open.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  assert.match((await openReader.read()).value ?? '', /tail started/);
  const closed = server.close();
  let rest = '';
  for (;;) {
    const { value, done } = await openReader.read();
    if (done) break;
    rest += value;
  }
  assert.match(rest, /"reason":"server closing"/);
  await closed;
});
