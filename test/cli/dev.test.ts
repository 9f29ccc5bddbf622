// `kumo dev` and `kumo local start`: serve a project's HTTP triggers from a throwaway Kumo, redeploy on save,
// follow the logs, and leave nothing behind on Ctrl-C.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { until } from '../helpers/poll.js';
import { collect, exampleCopy, leftoversOf, nothingLeft, spawnKumo } from './local-helpers.js';

async function get(url: string): Promise<string> {
  const response = await request(url);
  return response.body.text();
}

test('kumo dev: a saved edit to the handler is live at once and the next call answers with it', {
  timeout: 120_000,
}, async (t) => {
  const dir = exampleCopy(t, 'nodejs-http');
  const child = spawnKumo(['dev'], dir);
  const { output, done } = collect(child);
  t.after(() => child.kill('SIGKILL'));
  const url = await until(() => /HTTP trigger: (\S+)/.exec(output.stdout)?.[1], {
    what: 'kumo dev prints the HTTP trigger URL',
    timeoutMs: 60_000,
    detail: () => output.stdout + output.stderr,
  });
  await until(() => output.stdout.includes('Watching '), { what: 'kumo dev watches', timeoutMs: 30_000 });
  assert.match(await get(url), /"message":"Hello from an HTTP function"/);
  await until(() => output.stdout.includes('[nodejs-http/nodejs-http] FC Invoke End RequestId'), {
    what: 'kumo dev follows the logs',
    detail: () => output.stdout,
  });

  const source = join(dir, 'index.js');
  const saved = Date.now();
  writeFileSync(source, readFileSync(source, 'utf8').replace('Hello from an HTTP function', 'Edited'));
  const live = await until(() => /↻ live ([\d.]+) s after the save/.exec(output.stdout)?.[1], {
    what: 'kumo dev redeploys after the save',
    timeoutMs: 30_000,
    detail: () => output.stdout + output.stderr,
  });
  const answer = await get(url);
  const measured = Date.now() - saved;
  t.diagnostic(
    `kumo dev: edit live ${live} s after the save (kumo's figure); save to new answer ${measured} ms`,
  );
  assert.match(answer, /"message":"Edited"/);
  // Only the edited function was redeployed: its service and trigger were not touched.
  const afterSave = output.stdout.slice(output.stdout.indexOf('Watching '));
  assert.match(afterSave, /✓ function nodejs-http\/nodejs-http: updated/);
  assert.doesNotMatch(afterSave, /service nodejs-http|trigger nodejs-http/);

  // A template change redeploys the project: the trigger's new method list is applied and the URL printed again.
  const template = join(dir, 'template.yml');
  const before = output.stdout.length;
  writeFileSync(template, readFileSync(template, 'utf8').replace('[GET, POST]', '[GET, POST, PUT]'));
  await until(() => /↻ live/.test(output.stdout.slice(before)), {
    what: 'kumo dev redeploys after a template change',
    timeoutMs: 30_000,
    detail: () => output.stdout + output.stderr,
  });
  assert.match(output.stdout.slice(before), /✓ trigger nodejs-http\/nodejs-http\/http: updated/);
  assert.match(output.stdout.slice(before), /HTTP trigger: http/);
  assert.equal((await request(url, { method: 'PUT' })).statusCode, 200);

  child.kill('SIGINT');
  const exit = await done;
  assert.equal(exit.code, 130, output.stderr);
  assert.deepEqual(await leftoversOf(child.pid as number), nothingLeft);
});

test('kumo local start: serves the HTTP trigger until Ctrl-C, then leaves nothing behind', {
  timeout: 120_000,
}, async (t) => {
  const dir = exampleCopy(t, 'python-http');
  const child = spawnKumo(['local', 'start'], dir);
  const { output, done } = collect(child);
  t.after(() => child.kill('SIGKILL'));
  const url = await until(() => /HTTP trigger: (\S+)/.exec(output.stdout)?.[1], {
    what: 'kumo local start prints the HTTP trigger URL',
    timeoutMs: 60_000,
    detail: () => output.stdout + output.stderr,
  });
  assert.match(await get(`${url}hello`), /"message": "Hello from a WSGI function"/);
  // The printed settings let another terminal's kumo reach this throwaway server.
  const settings = /^ {2}(KUMO_ENDPOINT=.*) kumo invoke/m.exec(output.stdout)?.[1] ?? '';
  const env = Object.fromEntries(settings.split(' ').map((pair) => pair.split('=', 2) as [string, string]));
  assert.ok(env.KUMO_ENDPOINT && env.KUMO_ACCESS_KEY_SECRET, output.stdout);
  const listed = collect(spawnKumo(['ls', '--json'], dir, env));
  assert.equal((await listed.done).code, 0, listed.output.stderr);
  assert.match(listed.output.stdout, /"serviceName": "python-http"/);
  // An instance is running now (the check below sees it, so it can fail): Ctrl-C must stop it too.
  const running = await leftoversOf(child.pid as number);
  t.diagnostic(`while running: ${JSON.stringify(running)}`);
  assert.equal(running.tempDirs.length, 1);
  assert.ok(running.processes.length > 0 && running.cgroups.length > 0, JSON.stringify(running));
  child.kill('SIGINT');
  assert.equal((await done).code, 130, output.stderr);
  assert.match(output.stderr, /SIGINT: stopping the local server/);
  assert.deepEqual(await leftoversOf(child.pid as number), nothingLeft);
});
