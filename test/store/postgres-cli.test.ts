import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { type ServeProcess, spawnServe } from '../helpers/kumo-serve.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { sdkClient } from '../helpers/server.js';

/** The real `kumo serve --store <url>` binary (built dist) on its own data dir; killed after the test. */
async function serve(t: TestContext, storeUrl: string): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-pg-cli-'));
  const started = spawnServe(dataDir, { KUMO_SANDBOX: 'process' }, ['--store', storeUrl]);
  t.after(async () => {
    const { child } = await started;
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return started;
}

test('two `kumo serve --store postgres://…` nodes share the generated key, the function and its code', async (t) => {
  const database = await createTestDatabase();
  t.after(() => database.drop());
  const first = await serve(t, database.url);
  const id = /KUMO_ACCESS_KEY_ID=(\S+)/.exec(first.output())?.[1];
  const secret = /KUMO_ACCESS_KEY_SECRET=(\S+)/.exec(first.output())?.[1];
  assert.ok(id && secret, first.output());
  const second = await serve(t, database.url);
  assert.doesNotMatch(second.output(), /KUMO_ACCESS_KEY_ID/, 'the second node generates no key of its own');

  const fcA = sdkClient(first.url, id, secret);
  await fcA.createService('shared');
  await fcA.createFunction('shared', {
    functionName: 'hello',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: {
      zipFile: await zipFiles({
        'index.js': `exports.handler = (e, c, cb) => cb(null, 'node says ' + e);\n`,
      }),
    },
  });
  const fcB = sdkClient(second.url, id, secret);
  assert.equal((await invoke(fcB, 'shared', 'hello', 'hi')).body, 'node says hi');
  const listed = await fcB.listFunctions('shared');
  assert.deepEqual(
    listed.data.functions.map((f) => f.functionName),
    ['hello'],
  );
});
