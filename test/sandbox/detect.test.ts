import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  BwrapSandbox,
  describeSandboxChoice,
  detectSandbox,
  ProcessSandbox,
  probeBwrap,
  SandboxError,
} from '../../src/sandbox/index.js';

const INDEX = new URL('../../src/sandbox/index.ts', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
const probe = await probeBwrap();
if (typeof probe !== 'string') await probe.close();
const bwrapWorks = typeof probe !== 'string';

test('a forced process sandbox is used as is', async () => {
  const sandbox = await detectSandbox({ mode: 'process' });
  assert.ok(sandbox instanceof ProcessSandbox);
  assert.match(sandbox.reason, /chosen by configuration/);
  assert.match(describeSandboxChoice(sandbox), /^sandbox: process \(WARNING: instances are not isolated\)/);
  await sandbox.close();
});

test('an unknown mode is an error', async () => {
  await assert.rejects(detectSandbox({ mode: 'docker' }), (error) => {
    assert.ok(error instanceof SandboxError);
    assert.match(error.message, /unknown sandbox mode 'docker'/);
    return true;
  });
});

test('auto picks bwrap where it works, else process with the reason', async () => {
  const sandbox = await detectSandbox({ mode: '' });
  try {
    if (bwrapWorks) {
      assert.ok(sandbox instanceof BwrapSandbox);
      assert.match(sandbox.reason, /cgroup v[12] memory \+ pids/);
    } else {
      assert.ok(sandbox instanceof ProcessSandbox);
      assert.match(sandbox.reason, /bwrap not usable: /);
    }
    assert.match(describeSandboxChoice(sandbox), new RegExp(`^sandbox: ${sandbox.kind}`));
  } finally {
    await sandbox.close();
  }
});

test('a failing bwrap trial falls back to process, and forcing bwrap then fails', {
  skip: !bwrapWorks && 'bwrap cannot work here',
}, async () => {
  // 127.0.0.0/30 holds 127.0.0.1, so the only /30 is taken and the trial instance cannot get an address.
  const sandbox = await detectSandbox({ mode: 'auto', subnet: '127.0.0.0/30' });
  assert.equal(sandbox.kind, 'process');
  assert.match(sandbox.reason, /bwrap not usable: instance subnet 127\.0\.0\.0\/30 is exhausted/);
  await assert.rejects(
    detectSandbox({ mode: 'bwrap', subnet: '127.0.0.0/30' }),
    /'bwrap' was requested but cannot work here: instance subnet/,
  );
});

test('without root capabilities auto says what is missing and forced bwrap is an error', {
  skip: !isRoot && 'needs root to drop privileges',
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-detect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const script = join(dir, 'detect.mts');
  writeFileSync(
    script,
    `import { describeSandboxChoice, detectSandbox } from ${JSON.stringify(INDEX)};\n` +
      'const s = await detectSandbox({ mode: process.argv[2] }).catch((e) => e);\n' +
      'console.log(s instanceof Error ? "ERROR " + s.message : describeSandboxChoice(s));\n',
  );
  chmodSync(script, 0o644);
  const run = (mode: string) => {
    const drop = [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
    ];
    const result = spawnSync('setpriv', [...drop, process.execPath, '--import', 'tsx', script, mode], {
      encoding: 'utf8',
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, HOME: dir },
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  assert.match(
    run('auto'),
    /^sandbox: process .*bwrap not usable: not root and missing capabilities .*CAP_SYS_ADMIN/,
  );
  assert.match(run('bwrap'), /^ERROR sandbox 'bwrap' was requested but cannot work here: not root/);
});
