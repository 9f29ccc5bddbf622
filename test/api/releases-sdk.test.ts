import assert from 'node:assert/strict';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { functionLogs } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

/** A custom runtime that reports which code it runs (marker.txt), its process and how it was called. */
const BOOTSTRAP = `#!/usr/bin/env node
const http = require('node:http');
const fs = require('node:fs');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const marker = fs.readFileSync(__dirname + '/marker.txt', 'utf8');
    console.log(new Date().toISOString() + ' ' + req.headers['x-fc-request-id'] + ' [INFO] served ' + marker);
    res.setHeader('content-type', 'application/octet-stream');
    res.end(JSON.stringify({
      marker: fs.readFileSync(__dirname + '/marker.txt', 'utf8'),
      pid: process.pid,
      functionVersion: process.env.FC_FUNCTION_VERSION,
      verId: process.env.FC_VER_ID,
      qualifier: req.headers['x-fc-qualifier'],
      versionId: req.headers['x-fc-version-id'],
    }));
  });
}).listen(Number(process.env.FC_SERVER_PORT || 9000));
`;

interface Seen {
  marker: string;
  pid: number;
  functionVersion: string;
  verId: string;
  qualifier: string;
  versionId: string;
}

const code = async (marker: string) =>
  zipFiles({ bootstrap: BOOTSTRAP, 'marker.txt': marker, 'package.json': '{"type":"commonjs"}' });

async function deploy(fc: FC, marker: string): Promise<void> {
  await fc.createService('rel');
  await fc.createFunction('rel', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 10,
    description: marker,
    code: { zipFile: await code(marker) },
  });
}

async function call(fc: FC, serviceRef: string): Promise<Seen & { served: string }> {
  const response = await fc.invokeFunction(serviceRef, 'fn', 'x', {}, undefined, { rawBuf: true });
  const seen = JSON.parse(String(response.data)) as Seen;
  return { ...seen, served: response.headers['x-fc-invocation-service-version'] ?? '' };
}

const codeOf = async (error: Promise<unknown>) =>
  error.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

test('a published version and an alias keep the old code while LATEST moves on; instances per version', async (t) => {
  const { fc } = await startTestServer(t);
  await deploy(fc, 'old');
  const v1 = await fc.publishVersion('rel', 'first');
  assert.equal(v1.data.versionId, '1');
  assert.equal(v1.data.description, 'first');
  assert.equal(
    await codeOf(fc.publishVersion('rel', 'again')),
    'InvalidArgument',
    'nothing changed since v1',
  );
  await fc.createAlias('rel', 'prod', '1');
  const warmProd = await call(fc, 'rel.prod');

  await fc.updateFunction('rel', 'fn', { description: 'new', code: { zipFile: await code('new') } });
  const prod = await call(fc, 'rel.prod');
  assert.equal(prod.marker, 'old');
  assert.equal(prod.pid, warmProd.pid, "updating LATEST does not retire the version's instance");
  assert.deepEqual([prod.qualifier, prod.versionId, prod.served], ['prod', '1', '1']);
  assert.deepEqual([prod.functionVersion, prod.verId], ['1', '1']);
  assert.equal((await call(fc, 'rel.1')).marker, 'old');
  const latest = await call(fc, 'rel');
  assert.deepEqual(
    [latest.marker, latest.qualifier, latest.versionId, latest.served],
    ['new', 'LATEST', '', 'LATEST'],
  );
  assert.equal((await call(fc, 'rel.LATEST')).marker, 'new');
  const sdkQualifier = await fc.invokeFunction('rel', 'fn', 'x', {}, 'prod', { rawBuf: true });
  assert.equal((JSON.parse(String(sdkQualifier.data)) as Seen).marker, 'old', 'the SDK qualifier argument');

  assert.equal((await fc.getFunction('rel', 'fn', {}, '1')).data.description, 'old');
  assert.equal((await fc.getFunction('rel', 'fn', {}, 'prod')).data.description, 'old');
  assert.equal((await fc.getFunction('rel', 'fn')).data.description, 'new');

  // Deleting the function from LATEST leaves the version whole, code included.
  await fc.deleteFunction('rel', 'fn');
  assert.equal((await call(fc, 'rel.prod')).marker, 'old');
  assert.equal(await codeOf(call(fc, 'rel')), 'FunctionNotFound');
});

test('a weighted alias splits calls between its versions; weights 0 and 1 route all one way', async (t) => {
  const { fc } = await startTestServer(t);
  await deploy(fc, 'one');
  await fc.publishVersion('rel');
  await fc.updateFunction('rel', 'fn', { code: { zipFile: await code('two') } });
  await fc.publishVersion('rel');
  await fc.createAlias('rel', 'canary', '1', { additionalVersionWeight: { '2': 0.5 } });
  const counts = { one: 0, two: 0 };
  const pids = { one: new Set<number>(), two: new Set<number>() };
  for (let i = 0; i < 100; i++) {
    const seen = await call(fc, 'rel.canary');
    counts[seen.marker as 'one' | 'two']++;
    pids[seen.marker as 'one' | 'two'].add(seen.pid);
    assert.equal(seen.served, seen.marker === 'one' ? '1' : '2');
  }
  // Binomial(100, 0.5): outside [20, 80] has a probability below 1e-9.
  assert.ok(counts.one >= 20 && counts.two >= 20, `split ${JSON.stringify(counts)}`);
  assert.equal(pids.one.size, 1, 'version 1 stays warm on one instance');
  assert.equal(pids.two.size, 1, 'version 2 stays warm on one instance');

  for (const [weight, marker] of [
    [0, 'one'],
    [1, 'two'],
  ] as const) {
    await fc.updateAlias('rel', 'canary', null, { additionalVersionWeight: { '2': weight } });
    for (let i = 0; i < 20; i++) assert.equal((await call(fc, 'rel.canary')).marker, marker);
  }
});

test('HTTP triggers and custom-domain routes with a qualifier reach the aliased version', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deploy(fc, 'old');
  await fc.publishVersion('rel');
  await fc.createAlias('rel', 'prod', '1');
  await fc.updateFunction('rel', 'fn', { code: { zipFile: await code('new') } });
  await fc.post('/services/rel/functions/fn/triggers', {
    triggerName: 'web',
    triggerType: 'http',
    qualifier: 'prod',
    triggerConfig: { authType: 'anonymous', methods: ['GET'] },
  });
  const get = async (path: string, host?: string) => {
    const response = await request(`${server.url}${path}`, { headers: host ? { host } : {} });
    const text = await response.body.text();
    assert.equal(response.statusCode, 200, text);
    return JSON.parse(text) as Seen;
  };
  const viaTrigger = await get('/2016-08-15/proxy/rel/fn/');
  assert.deepEqual([viaTrigger.marker, viaTrigger.qualifier, viaTrigger.versionId], ['old', 'prod', '1']);
  assert.equal((await get('/2016-08-15/proxy/rel.LATEST/fn/')).marker, 'new', 'an explicit qualifier wins');

  await fc.createCustomDomain('rel.example.com', {
    routeConfig: { routes: [{ path: '/*', serviceName: 'rel', functionName: 'fn', qualifier: 'prod' }] },
  });
  assert.equal((await get('/anything', 'rel.example.com')).marker, 'old');
});

test('a version an alias names cannot be deleted; deleting the alias first works', async (t) => {
  const { fc } = await startTestServer(t);
  await deploy(fc, 'old');
  await fc.publishVersion('rel');
  await fc.createAlias('rel', 'prod', '1');
  const refused = await fc.deleteVersion('rel', '1').catch((e: Error & { code?: string }) => e);
  assert.ok(refused instanceof Error);
  assert.equal((refused as { code?: string }).code, 'InvalidArgument');
  assert.match(refused.message, /alias 'prod'/);
  await fc.deleteAlias('rel', 'prod');
  await fc.deleteVersion('rel', '1');
  assert.equal(await codeOf(call(fc, 'rel.1')), 'VersionNotFound');
  const listed = await fc.listVersions('rel');
  assert.deepEqual(listed.data.versions, []);
  await fc.updateFunction('rel', 'fn', { description: 'changed' });
  assert.equal((await fc.publishVersion('rel')).data.versionId, '2', 'version numbers are never reused');
});

test('a timer trigger with a qualifier fires the aliased version', async (t) => {
  const { fc, client } = await startTestServer(t);
  await deploy(fc, 'old');
  await fc.publishVersion('rel');
  await fc.createAlias('rel', 'prod', '1');
  await fc.updateFunction('rel', 'fn', { code: { zipFile: await code('new') } });
  await fc.post('/services/rel/functions/fn/triggers', {
    triggerName: 'tick',
    triggerType: 'timer',
    qualifier: 'prod',
    triggerConfig: { cronExpression: '@every 1s', enable: true },
  });
  await until(async () => (await functionLogs(client, 'rel', 'fn', { text: 'served old' })).length > 0, {
    what: 'the timer fired version 1',
  });
  assert.deepEqual(await functionLogs(client, 'rel', 'fn', { text: 'served new' }), [], 'LATEST never ran');
});
