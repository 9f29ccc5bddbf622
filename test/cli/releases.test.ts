import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const EXAMPLE = new URL('../../examples/nodejs-event/', import.meta.url).pathname;

test('kumo publish, versions, alias set/ls and invoke --qualifier; a redeploy changes LATEST only', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const dir = mkdtempSync(join(tmpdir(), 'kumo-project-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(EXAMPLE, dir, { recursive: true });
  const kumo = async (...args: string[]) => {
    const result = await runKumo(args, { endpoint, cwd: dir });
    assert.equal(result.code, 0, `kumo ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await kumo('deploy');
  assert.match(await kumo('publish', 'nodejs-event', '-d', 'first'), /published nodejs-event version 1/);
  assert.match(await kumo('alias', 'set', 'nodejs-event', 'prod', '1'), /nodejs-event\.prod → version 1/);

  const source = join(dir, 'index.js');
  writeFileSync(source, readFileSync(source, 'utf8').replace('Hello, ', 'Howdy, '));
  await kumo('deploy');
  assert.deepEqual(
    (await fc.listVersions('nodejs-event')).data.versions.length,
    1,
    'deploy publishes nothing',
  );
  assert.match(await kumo('invoke', 'nodejs-event/nodejs-event', '-e', 'kumo'), /Howdy, kumo!/);
  assert.match(
    await kumo('invoke', 'nodejs-event/nodejs-event', '-e', 'kumo', '--qualifier', 'prod'),
    /Hello, kumo!/,
  );

  assert.match(await kumo('publish', 'nodejs-event', '-d', 'second'), /version 2/);
  assert.match(
    await kumo('alias', 'set', 'nodejs-event', 'prod', '1', '--weight', '2=0.25'),
    /version 1 \+ version 2 \(25%\)/,
  );
  assert.match(await kumo('alias', 'ls', 'nodejs-event'), /^prod\s+version 1 \+ version 2 \(25%\)$/m);
  const versions = await kumo('versions', 'nodejs-event');
  assert.match(versions, /^2\s+\S+\s+second\n1\s+\S+\s+first\n$/);
  const bad = await runKumo(['alias', 'set', 'nodejs-event', 'prod', '1', '--weight', '2=7'], {
    endpoint,
    cwd: dir,
  });
  assert.equal(bad.code, 3, 'an API error');
  assert.match(bad.stderr, /InvalidArgument/);
});
