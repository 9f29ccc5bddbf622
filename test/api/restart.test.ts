import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

const BOOTSTRAP = '#!/bin/sh\nexec python3 -m http.server "$FC_SERVER_PORT"\n';

test('everything survives a restart on the same data dir; unused code packages are removed at start', async (t) => {
  const first = await startTestServer(t);
  await first.fc.createService('kept', { description: 'still here' });
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  await first.fc.createFunction('kept', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'a.b',
    code: { zipFile },
  });
  await first.fc.createFunction('kept', {
    functionName: 'old',
    runtime: 'custom',
    handler: 'a.b',
    code: { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\n# replaced\n' }) },
  });
  await first.fc.deleteFunction('kept', 'old');
  const before = await first.fc.getFunction('kept', 'fn');
  const zips = () => readdirSync(join(first.dataDir, 'code', 'zips')).filter((f) => f.endsWith('.zip'));
  assert.equal(zips().length, 2);
  await first.server.close();

  const second = await startTestServer(t, {}, first.dataDir);
  assert.equal(zips().length, 1, 'the package no function uses was removed at start');
  const service = await second.fc.getService('kept');
  assert.equal(service.data.description, 'still here');
  const after = await second.fc.getFunction('kept', 'fn');
  assert.deepEqual(after.data, before.data);
  const code = await second.fc.getFunctionCode('kept', 'fn');
  const download = await request(code.data.url);
  assert.deepEqual(Buffer.from(await download.body.arrayBuffer()), Buffer.from(zipFile, 'base64'));
});
