import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { startTestServerOn } from '../helpers/server.js';

const HANDLER = `exports.handler = (event, context, callback) => callback(null, 'hello ' + event + ' from ' + context.function.name);\n`;

test('kumo on PostgreSQL: create and invoke through fc2, restart without the local code cache, invoke again', async (t) => {
  const first = await startTestServerOn(t, 'postgres');
  await first.fc.createService('pg-svc');
  const zipFile = await zipFiles({ 'index.js': HANDLER });
  const created = await first.fc.createFunction('pg-svc', {
    functionName: 'greet',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile },
  });
  assert.equal((await invoke(first.fc, 'pg-svc', 'greet', 'pg')).body, 'hello pg from greet');
  await first.server.close();
  const db = new pg.Client({ connectionString: first.storeUrl });
  await db.connect();
  const zip = Buffer.from(zipFile, 'base64');
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const stored = await db.query('SELECT size FROM code_packages WHERE sha256 = $1', [sha256]);
  await db.end();
  assert.deepEqual(stored.rows, [{ size: String(zip.length) }], 'the package is stored once in PostgreSQL');

  // The node's code cache is gone: the restarted node fetches the package from PostgreSQL and checks it.
  rmSync(join(first.dataDir, 'code'), { recursive: true, force: true });
  const second = await startTestServerOn(t, 'postgres', {}, first.dataDir);
  const fn = await second.fc.getFunction('pg-svc', 'greet');
  assert.equal(fn.data.codeChecksum, created.data.codeChecksum);
  assert.equal((await invoke(second.fc, 'pg-svc', 'greet', 'again')).body, 'hello again from greet');
  assert.ok(existsSync(join(first.dataDir, 'code', 'zips')), 'the package is cached on disk again');
});
