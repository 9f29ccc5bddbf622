import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { spawnServe } from '../helpers/kumo-serve.js';
import { until } from '../helpers/poll.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID, sdkClient } from '../helpers/server.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('process sandbox: an instance does not outlive a kumo serve that was SIGKILLed', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-orphans-'));
  let pid = 0;
  const { child, url } = await spawnServe(dataDir, {
    KUMO_SANDBOX: 'process',
    KUMO_PREWARM: '0',
    KUMO_ACCESS_KEY_ID: ACCESS_KEY_ID,
    KUMO_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    KUMO_ACCOUNT_ID: ACCOUNT_ID,
  });
  t.after(() => {
    child.kill('SIGKILL');
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const fc = sdkClient(url);
  await fc.createService('svc');
  await fc.createFunction('svc', {
    functionName: 'fn',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: {
      zipFile: await zipFiles({
        'index.js': 'exports.handler = (e, c, cb) => cb(null, String(process.pid));',
      }),
    },
  });
  pid = Number((await invoke(fc, 'svc', 'fn', '')).body);
  assert.ok(pid > 0 && alive(pid), 'the instance runs');

  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  await until(() => !alive(pid), { what: `instance process ${pid} gone after its server died` });
});
