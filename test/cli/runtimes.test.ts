import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

function tempDir(t: import('node:test').TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('kumo runtimes install fetches a verified Node.js from the npm registry; two installs at once give one intact entry', async (t) => {
  const dir = tempDir(t, 'kumo-runtimes-');
  const env = { KUMO_RUNTIMES_DIR: dir };
  const endpoint = 'http://127.0.0.1:1';
  const [a, b] = await Promise.all([
    runKumo(['runtimes', 'install', 'nodejs8'], { endpoint, env }),
    runKumo(['runtimes', 'install', 'nodejs8'], { endpoint, env }),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stdout + b.stdout, /nodejs8: downloading Node\.js v8\.17\.0 \([\d.]+ MB\) from https?:\/\//);
  assert.match(
    a.stdout + b.stdout,
    /nodejs8: installed Node\.js v8\.17\.0 \([\d.]+ MB unpacked\) in [\d.]+ s/,
  );
  assert.deepEqual(readdirSync(dir), ['node-v8.17.0'], 'one entry, no temporary folder left');
  const binary = join(dir, 'node-v8.17.0', 'bin', 'node');
  assert.equal(execFileSync(binary, ['--version']).toString().trim(), 'v8.17.0');
  const manifest = JSON.parse(readFileSync(join(dir, 'node-v8.17.0', 'kumo-install.json'), 'utf8'));
  assert.match(manifest.integrity, /^sha512-/, 'checked against the registry integrity');

  const again = await runKumo(['runtimes', 'install', 'nodejs8', 'nodejs20'], { endpoint, env });
  assert.match(again.stdout, /Node\.js v8\.17\.0 is already installed/);
  assert.match(again.stdout, /nodejs20: runs the Node\.js running Kumo/);

  const listed = await runKumo(['runtimes', 'ls'], { endpoint, env });
  assert.match(listed.stdout, new RegExp(`Runtimes cache: ${dir}`));
  assert.match(listed.stdout, /nodejs8 +Node\.js v8\.17\.0 \(/);
  assert.match(listed.stdout, /nodejs14 +Node\.js v14\.21\.3 \(not installed yet: installed on first use\)/);

  const unknown = await runKumo(['runtimes', 'install', 'nodejs7'], { endpoint, env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown runtime nodejs7/);
});

test('kumo deploy and kumo doctor say when a runtime runs on another version', async (t) => {
  const dir = tempDir(t, 'kumo-runtimes-');
  const { server } = await startTestServer(t, { runtimesDir: dir, runtimesOffline: true });
  const project = tempDir(t, 'kumo-project-');
  cpSync(join(EXAMPLES, 'nodejs-event'), project, { recursive: true });
  const template = join(project, 'template.yml');
  writeFileSync(template, readFileSync(template, 'utf8').replace('Runtime: nodejs20', 'Runtime: nodejs14'));
  const deployed = await runKumo(['deploy'], { endpoint: server.url, cwd: project });
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.match(
    deployed.stdout,
    /✓ function nodejs-event\/nodejs-event: created\n {2}! nodejs14 runs on Node\.js v20\.\d+\.\d+: /,
  );
  const again = await runKumo(['deploy', '--json'], { endpoint: server.url, cwd: project });
  const notes = (JSON.parse(again.stdout) as { notes: { function: string; note: string }[] }).notes;
  assert.equal(notes[0]?.function, 'nodejs-event/nodejs-event');
  assert.match(notes[0]?.note ?? '', /kumo runtimes install nodejs14/);

  const python = tempDir(t, 'kumo-project-');
  cpSync(join(EXAMPLES, 'python-event'), python, { recursive: true });
  const pyTemplate = join(python, 'template.yml');
  writeFileSync(
    pyTemplate,
    readFileSync(pyTemplate, 'utf8').replace('Runtime: python3.10', 'Runtime: python3.9'),
  );
  const pyDeployed = await runKumo(['deploy'], { endpoint: server.url, cwd: python });
  assert.match(pyDeployed.stdout, /! python3\.9 runs on Python 3\.\d+\.\d+: this machine has no Python 3\.9/);

  const env = { KUMO_RUNTIMES_DIR: dir, KUMO_RUNTIMES_OFFLINE: '1' };
  const doctor = await runKumo(['doctor'], { endpoint: server.url, env });
  assert.equal(doctor.code, 0, doctor.stderr);
  assert.match(
    doctor.stdout,
    /nodejs14 +ok \(Node\.js v20\.\d+\.\d+ instead of v14\.21\.3\)\n +! nodejs14 runs on/,
  );
  assert.match(doctor.stdout, /! python3\.9 runs on Python/);
});
