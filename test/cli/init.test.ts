// `kumo init`'s hint works as printed, here in the folder itself (`kumo init typescript .`), with no server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, leftoversOf, nothingLeft, spawnKumo } from './local-helpers.js';

test('kumo init typescript . prints commands that build, deploy and invoke it, and they work', {
  timeout: 240_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const init = collect(spawnKumo(['init', 'typescript', '.'], dir));
  assert.equal((await init.done).code, 0, init.output.stderr);
  assert.match(
    init.output.stdout,
    /^next, with `kumo serve` running: kumo deploy --build && kumo invoke typescript\/typescript-hello -e Kumo$/m,
  );
  const local = /^ {2}or with no server: (kumo local .*)$/m.exec(init.output.stdout)?.[1] ?? '';
  assert.equal(local, 'kumo local invoke -e Kumo --build');
  const child = spawnKumo(local.split(' ').slice(1), dir);
  const run = collect(child);
  const { code } = await run.done;
  assert.equal(code, 0, run.output.stdout + run.output.stderr);
  assert.match(run.output.stdout, /FC Invoke Result:\nHello, Kumo! from typescript/);
  assert.deepEqual(await leftoversOf(child.pid as number), nothingLeft);
});
