import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { type Key, ROOT_KEY, rawRequest, safeDecode, signedHeaders } from './helpers.js';

// A function of service `alpha` gets a temporary key scoped to `alpha`. It must not reach `bravo` whatever
// the encoding of the path, and inside `alpha` it may only read and invoke.
const SECRET = 'bravo-secret-0f9e8d7c';
const V = '/2016-08-15';

interface Attack {
  method: string;
  target: string;
  body?: string;
}

const victimPaths = [
  `${V}/services/bravo/functions/victim`,
  `${V}/%73ervices/bravo/functions/victim#%/services/alpha`,
  `${V}/services/bravo/functions/victim#/services/alpha`,
  `${V}/services/bravo/functions/victim?x=/services/alpha`,
  `${V}/services/bravo/functions/victim?/services/alpha`,
  `${V}/services/%62ravo/functions/victim`,
  `${V}/services/%62%72%61%76%6f/functions/victim`,
  `${V}/services/bravo/functions/%76ictim`,
  `${V}/services/bravo.LATEST/functions/victim`,
  `${V}/services/bravo.alpha/functions/victim`,
  `${V}/services/alpha/../bravo/functions/victim`,
  `${V}/services/alpha/%2e%2e/bravo/functions/victim`,
  `${V}/services/alpha/.%2E/bravo/functions/victim`,
  `${V}/services/alpha%2F..%2Fbravo/functions/victim`,
  `${V}/services/alpha%2f%2e%2e%2fbravo/functions/victim`,
  `${V}/services/alpha/./../bravo/functions/victim`,
  `${V}//services/bravo/functions/victim`,
  `${V}/services//bravo/functions/victim`,
  `${V}/services/alpha\\..\\bravo/functions/victim`,
  `${V}/services/alpha%5C..%5Cbravo/functions/victim`,
  `${V}/services/bravo%00/services/alpha/functions/victim`,
  `${V}/services/bravo/functions/victim%23/services/alpha`,
  `${V}/services/bravo/functions/victim%3F/services/alpha`,
  `${V}/services/bravo/functions/victim%2523/services/alpha`,
  `${V}/services/bravo%09/functions/victim`,
  `${V}/services/%C0%AEbravo/functions/victim`,
  `${V}/services/bravo/functions/victim;/services/alpha`,
  `/%32016-08-15/services/bravo/functions/victim`,
  `/2016%2D08-15/services/bravo/functions/victim`,
  `/2016-08-15%2Fservices/bravo/functions/victim`,
  `http://127.0.0.1${V}/services/bravo/functions/victim`,
  `http://127.0.0.1${V}/services/bravo/functions/victim#${V}/services/alpha`,
];

function attacks(): Attack[] {
  const list: Attack[] = [];
  for (const path of victimPaths) {
    const [base = '', tail = ''] = path.split(/(?=[#?])/, 2);
    list.push({ method: 'GET', target: path });
    list.push({ method: 'GET', target: `${base}/code${tail}` });
    list.push({ method: 'POST', target: `${base}/invocations${tail}`, body: 'headers' });
    list.push({
      method: 'PUT',
      target: path,
      body: JSON.stringify({ environmentVariables: { SECRET: 'owned' } }),
    });
    list.push({ method: 'DELETE', target: path });
  }
  // Service- and account-level calls, plain and with the old `#/services/alpha` trick.
  for (const suffix of ['', '#/services/alpha', '?/services/alpha', '/../services/alpha']) {
    list.push({ method: 'GET', target: `${V}/services${suffix}` });
    list.push({
      method: 'POST',
      target: `${V}/services${suffix}`,
      body: JSON.stringify({ serviceName: 'evil' }),
    });
    list.push({ method: 'GET', target: `${V}/custom-domains${suffix}` });
    list.push({ method: 'DELETE', target: `${V}/services/bravo${suffix}` });
  }
  // Writes inside its own service are not a function's business either.
  list.push({ method: 'DELETE', target: `${V}/services/alpha/functions/fn` });
  list.push({
    method: 'PUT',
    target: `${V}/services/alpha`,
    body: JSON.stringify({ internetAccess: false }),
  });
  list.push({ method: 'DELETE', target: `${V}/services/alpha` });
  return list;
}

/** What the attacker may sign: the raw target, its decoded form, and the decoded form cut at `#`. */
function signingCandidates(target: string): string[] {
  const noAuthority = target.replace(/^http:\/\/[^/]+/, '');
  const withoutQuery = noAuthority.split('?', 1)[0] ?? '';
  return [
    ...new Set([withoutQuery, safeDecode(withoutQuery), safeDecode(withoutQuery.split('#', 1)[0] ?? '')]),
  ];
}

test('a temporary key scoped to one service cannot reach another through any path encoding', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'alpha', 'fn', NODE_RUNTIME);
  await deployCustom(fc, 'bravo', 'victim', NODE_RUNTIME, { environmentVariables: { SECRET } });
  await fc.post('/services/bravo/functions/victim/triggers', {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'function', methods: ['GET', 'POST'] },
  });
  const { headers } = JSON.parse((await invoke(fc, 'alpha', 'fn', 'headers')).body) as {
    headers: Record<string, string>;
  };
  const scoped: Key = {
    accessKeyId: headers['X-Fc-Access-Key-Id'] as string,
    accessKeySecret: headers['X-Fc-Access-Key-Secret'] as string,
    securityToken: headers['X-Fc-Security-Token'] as string,
  };
  assert.match(scoped.accessKeyId, /^STS\./);
  const alphaBefore = (await fc.getService('alpha')).data;

  const send = (key: Key, attack: Attack, signedPath: string) =>
    rawRequest(server.port, {
      method: attack.method,
      target: attack.target,
      headers: signedHeaders(key, attack.method, signedPath, { body: attack.body }),
      body: attack.body,
    });

  // Positive controls: the same signing reaches what the key may reach, and the root key reaches bravo.
  const own = await send(
    scoped,
    { method: 'GET', target: `${V}/services/alpha/functions/fn` },
    `${V}/services/alpha/functions/fn`,
  );
  assert.equal(own.status, 200, own.body);
  const ownCall = { method: 'POST', target: `${V}/services/alpha/functions/fn/invocations`, body: 'stats' };
  assert.equal((await send(scoped, ownCall, ownCall.target)).status, 200);
  const admin = await send(
    ROOT_KEY,
    { method: 'GET', target: `${V}/services/bravo/functions/victim` },
    `${V}/services/bravo/functions/victim`,
  );
  assert.equal(admin.status, 200);
  assert.ok(admin.body.includes(SECRET), 'the root key reads the victim');

  const outcomes = new Map<number, number>();
  for (const attack of attacks()) {
    for (const signedPath of signingCandidates(attack.target)) {
      const response = await send(scoped, attack, signedPath);
      const what = `${attack.method} ${attack.target} signed over ${signedPath}`;
      assert.ok(
        [400, 403].includes(response.status),
        `${what} answered ${response.status}: ${response.body}`,
      );
      assert.ok(response.errorCode, `${what}: FC error JSON expected, got ${response.body}`);
      assert.ok(!response.body.includes(SECRET), `${what} leaked the victim's environment`);
      outcomes.set(response.status, (outcomes.get(response.status) ?? 0) + 1);
    }
  }
  assert.ok((outcomes.get(400) ?? 0) > 0 && (outcomes.get(403) ?? 0) > 0, 'both refusals happen');

  // The HTTP trigger of bravo (authType function): the scoped key is refused whatever the proxy path says.
  for (const tail of ['/', '/services/alpha', '/2016-08-15/services/alpha/functions/fn']) {
    const target = `${V}/proxy/bravo/victim${tail}`;
    const proxied = await rawRequest(server.port, {
      method: 'GET',
      target,
      headers: signedHeaders(scoped, 'GET', target),
    });
    assert.equal(proxied.status, 403, `${target}: ${proxied.body}`);
    assert.equal(proxied.errorCode, 'AccessDenied');
  }
  const adminProxy = await rawRequest(server.port, {
    method: 'GET',
    target: `${V}/proxy/bravo/victim/`,
    headers: signedHeaders(ROOT_KEY, 'GET', `${V}/proxy/bravo/victim/`),
  });
  assert.equal(adminProxy.status, 200, adminProxy.body);

  // No side effect: bravo's function is still there with its own environment, nothing was created.
  const victim = await fc.getFunction('bravo', 'victim');
  assert.deepEqual(victim.data.environmentVariables, { SECRET });
  assert.deepEqual((await fc.listServices()).data.services.map((s) => s.serviceName).sort(), [
    'alpha',
    'bravo',
  ]);
  assert.equal((await fc.getFunction('alpha', 'fn')).data.functionName, 'fn');
  assert.deepEqual((await fc.getService('alpha')).data, alphaBefore);
});

test('an encoded API prefix does not skip authentication', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'bravo', 'victim', NODE_RUNTIME, { environmentVariables: { SECRET } });
  for (const target of [
    '/%32016-08-15/services',
    '/2016%2D08-15/services',
    '/%32%30%31%36-08-15/services/bravo/functions/victim',
    '/2016-08-1%35/services/bravo/functions/victim/code',
    '/2016-08-15%2Fservices',
    '/%2F2016-08-15/services',
    '/2016-08-15/prox%79/bravo/victim/',
    '/%32016-08-15/proxy/bravo/victim/',
  ]) {
    for (const method of ['GET', 'DELETE']) {
      const response = await rawRequest(server.port, { method, target });
      assert.ok(
        [400, 403, 404].includes(response.status),
        `${method} ${target} unsigned: ${response.status} ${response.body}`,
      );
      assert.ok(!response.body.includes(SECRET), `${target} leaked`);
    }
  }
  assert.deepEqual((await fc.getFunction('bravo', 'victim')).data.environmentVariables, { SECRET });
});

test('the root key is refused the same confusing paths (they are rejected before routing)', async (t) => {
  const { server } = await startTestServer(t);
  for (const target of [
    `${V}/%73ervices`,
    `${V}/services#x`,
    `${V}//services`,
    `${V}/services/a/../b`,
    `${V}/services/a%2Fb`,
    `${V}/services/a%5cb`,
    `${V}/services/a%00`,
    `${V}/services/a%zz`,
    `/%32016-08-15/services`,
    `http://127.0.0.1${V}/services`,
  ]) {
    const response = await rawRequest(server.port, {
      method: 'GET',
      target,
      headers: signedHeaders(ROOT_KEY, 'GET', safeDecode(target.split('#')[0] ?? '')),
    });
    assert.equal(response.status, 400, `${target}: ${response.body}`);
    assert.equal(response.errorCode, 'InvalidArgument', `${target}: ${response.body}`);
  }
  const plain = await rawRequest(server.port, {
    method: 'GET',
    target: `${V}/services`,
    headers: signedHeaders(ROOT_KEY, 'GET', `${V}/services`),
  });
  assert.equal(plain.status, 200, plain.body);
});
