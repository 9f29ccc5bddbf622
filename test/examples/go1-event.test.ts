// examples/go1-event: built with its build.sh (the official fc-runtime-go-sdk), deployed with `kumo deploy` as a
// go1 function and invoked with `kumo invoke`, against a real Kumo.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('examples/go1-event: builds, deploys with kumo deploy as go1, initializes once and answers', async (t) => {
  const dir = join(ROOT, 'examples/go1-event');
  const build = spawnSync(join(dir, 'build.sh'), { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(
    build.status,
    0,
    `build.sh failed: ${build.error?.message ?? ''}${build.stdout}${build.stderr}`,
  );

  const { server } = await startTestServer(t);
  const endpoint = server.url;
  const deploy = await runKumo(['deploy', '-t', 'examples/go1-event/template.yml'], { endpoint, cwd: ROOT });
  assert.equal(deploy.code, 0, `kumo deploy failed:\n${deploy.stdout}${deploy.stderr}`);

  const first = await runKumo(['invoke', 'go1-event/go1-event', '-e', '{"name":"Kumo"}'], {
    endpoint,
    cwd: ROOT,
  });
  const output = `${first.stdout}${first.stderr}`;
  assert.equal(first.code, 0, output);
  const requestId = /FC Invoke Start RequestId: (\S+)/.exec(first.stdout)?.[1] ?? '';
  const reply = JSON.parse(/FC Invoke Result:\n(.*)\n/.exec(first.stdout)?.[1] ?? '{}');
  assert.deepEqual(reply, { message: 'Hello, Kumo!', requestId, invocationsOnThisInstance: 1 }, output);
  const line = (message: string) =>
    new RegExp(`^\\S+Z ${requestId} \\[INFO\\] main\\.go:\\d+: ${message}$`, 'm');
  assert.match(first.stdout, line('go1 initialized'), output);
  assert.match(first.stdout, line('go1 handled Kumo'), output);

  const second = await runKumo(['invoke', 'go1-event/go1-event', '-e', '{}'], { endpoint, cwd: ROOT });
  assert.equal(second.code, 0, `${second.stdout}${second.stderr}`);
  assert.match(second.stdout, /"message":"Hello, world!".*"invocationsOnThisInstance":2/);
  assert.doesNotMatch(second.stdout, /initialized/);
});
