// What a hostile or broken build can do (nothing outside its folder, bounded time and log), the plain-process
// fallback, and the README's examples that need a build, from `kumo init` to `kumo invoke`.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildIsolation, findBinary } from '../../src/sandbox/index.js';
import { runKumo } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const cache = mkdtempSync(join(tmpdir(), 'kumo-build-cache-'));
process.env.KUMO_BUILD_CACHE = cache;
after(() => rmSync(cache, { recursive: true, force: true }));
const NO_SERVER = 'http://127.0.0.1:9';
const isolation = await buildIsolation(process.env.KUMO_SANDBOX);
const needsBwrap =
  isolation.kind === 'bwrap' ? false : `builds are not sandboxed here: ${isolation.description}`;

function tempDir(t: import('node:test').TestContext, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'kumo-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A custom-runtime project whose build is `script` (given the project's folder). */
function customProject(t: import('node:test').TestContext, script: (dir: string) => string): string {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'build.sh'), `#!/bin/sh\n${script(dir)}\n`, { mode: 0o755 });
  writeFileSync(join(dir, 'bootstrap'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  writeFileSync(
    join(dir, 'template.yml'),
    `ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
  hostile:
    Type: 'Aliyun::Serverless::Service'
    fn:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Runtime: custom
        CodeUri: ./
`,
  );
  return dir;
}

test('a build script can write only its build folder and read nothing private of the host', {
  skip: needsBwrap,
  timeout: 60_000,
}, async (t) => {
  const outside = tempDir(t, '/var/tmp');
  writeFileSync(join(outside, 'secret'), 'host secret');
  const dir = customProject(
    t,
    (source) => `echo pwned > ${outside}/pwned 2>/dev/null && echo wrote-outside >> leaked.txt
cat ${outside}/secret >> leaked.txt 2>/dev/null
touch /usr/kumo-build-evil 2>/dev/null && echo wrote-usr >> leaked.txt
ls /root >/dev/null 2>&1 && echo saw-root >> leaked.txt
mkdir -p ${source} && echo pwned > ${source}/index.js
echo checked >> leaked.txt`,
  );
  const build = await runKumo(['build'], { endpoint: NO_SERVER, cwd: dir });
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assert.equal(readFileSync(join(dir, '.kumo/build/hostile/fn/leaked.txt'), 'utf8'), 'checked\n');
  assert.ok(!existsSync(join(outside, 'pwned')));
  assert.ok(!existsSync('/usr/kumo-build-evil'));
  assert.ok(!existsSync(join(dir, 'index.js')), 'the source folder is not writable from the build');
});

test('an npm install script runs in the sandbox too: it cannot write the host or read its files', {
  skip: needsBwrap,
  timeout: 60_000,
}, async (t) => {
  const outside = tempDir(t, '/var/tmp');
  writeFileSync(join(outside, 'secret'), 'host secret');
  const dir = tempDir(t);
  const script = `echo pwned > ${outside}/pwned; cat ${outside}/secret > leaked.txt; echo ran >> leaked.txt`;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ dependencies: { ms: '2.1.3' }, scripts: { postinstall: script } }),
  );
  writeFileSync(
    join(dir, 's.yaml'),
    'edition: 1.0.0\nservices:\n  fn:\n    component: fc\n    props:\n      service: { name: hostile }\n' +
      '      function: { name: npm, runtime: nodejs20, handler: index.handler, codeUri: ./ }\n',
  );
  const build = await runKumo(['build'], { endpoint: NO_SERVER, cwd: dir });
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assert.equal(readFileSync(join(dir, '.kumo/build/hostile/npm/leaked.txt'), 'utf8'), 'ran\n');
  assert.ok(!existsSync(join(outside, 'pwned')));
});

test('a build that hangs is stopped at --timeout with every process, and says so', {
  timeout: 60_000,
}, async (t) => {
  const marker = `${600 + Math.floor(Math.random() * 300)}.${process.pid}`;
  const dir = customProject(t, () => `echo started\nexec sleep ${marker}`);
  const build = await runKumo(['build', '--timeout', '2'], { endpoint: NO_SERVER, cwd: dir });
  assert.equal(build.code, 1);
  assert.match(
    build.stderr,
    /kumo: BuildFailed: hostile\/fn: build step `\.\/build\.sh` timed out after 2 s and was stopped \(raise it with --timeout\) after [\d.]+ s; its last lines:\n\s+\$ \.\/build\.sh\n\s+started/,
  );
  await until(() => !sleeping(marker), { what: 'the hung build process is gone' });
  assert.ok(!existsSync(join(dir, '.kumo/build/hostile/fn')));
});

function sleeping(marker: string): boolean {
  return readdirSync('/proc').some((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
    } catch {
      return false;
    }
  });
}

test('a build printing without end keeps a bounded log', { timeout: 60_000 }, async (t) => {
  const dir = customProject(t, () => `head -c 3000000 /dev/zero | tr '\\0' x\necho\necho after-the-flood`);
  const build = await runKumo(['build'], { endpoint: NO_SERVER, cwd: dir });
  assert.equal(build.code, 0, build.stderr);
  const log = join(dir, '.kumo/build/hostile/fn.log');
  assert.ok(statSync(log).size < 1024 * 1024 + 200, `log is ${statSync(log).size} bytes`);
  assert.match(readFileSync(log, 'utf8'), /\[kumo: log cut at 1048576 bytes; the rest was not kept\]\n$/);
});

test('without a working sandbox (KUMO_SANDBOX=process) a build runs as a plain process and says so', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'fn'));
  writeFileSync(join(dir, 'fn/package.json'), '{"dependencies":{"ms":"2.1.3"}}');
  writeFileSync(
    join(dir, 's.yaml'),
    'edition: 1.0.0\nservices:\n  fn:\n    component: fc\n    props:\n      service: { name: plain }\n' +
      '      function: { name: fn, runtime: nodejs20, handler: index.handler, codeUri: ./fn }\n',
  );
  const saved = process.env.KUMO_SANDBOX;
  process.env.KUMO_SANDBOX = 'process';
  t.after(() => {
    if (saved === undefined) delete process.env.KUMO_SANDBOX;
    else process.env.KUMO_SANDBOX = saved;
  });
  const build = await runKumo(['build'], { endpoint: NO_SERVER, cwd: dir });
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assert.match(build.stdout, /Building in a plain process \(WARNING: the build is not isolated/);
  assert.ok(existsSync(join(dir, '.kumo/build/plain/fn/node_modules/ms')));
});

for (const example of ['typescript', 'go']) {
  const missing =
    example === 'go' && !findBinary('go') ? 'go is not installed: apt-get install golang-go' : false;
  test(`kumo init ${example} && kumo deploy --build: the example builds in the sandbox and answers`, {
    skip: missing,
    timeout: 240_000,
  }, async (t) => {
    const { server } = await startTestServer(t);
    const parent = tempDir(t);
    const init = await runKumo(['init', example, 'app'], { endpoint: server.url, cwd: parent });
    assert.equal(init.code, 0, init.stderr);
    assert.match(
      init.stdout,
      new RegExp(
        `next, with .kumo serve. running: cd app && kumo deploy --build && kumo invoke ${example}/${example}-hello -e Kumo\n`,
      ),
    );
    const dir = join(parent, 'app');
    const deployed = await runKumo(['deploy', '--build'], { endpoint: server.url, cwd: dir });
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    assert.match(deployed.stdout, /✓ \.\/build\.sh \([\d.]+ s\)/);
    process.stdout.write(`# kumo deploy --build (${example}):\n${deployed.stdout.replace(/^/gm, '#   ')}\n`);
    const invoked = await runKumo(['invoke', `${example}/${example}-hello`, '-e', 'Kumo'], {
      endpoint: server.url,
    });
    assert.match(
      invoked.stdout,
      new RegExp(`FC Invoke Result:\\nHello, Kumo! from ${example}`),
      invoked.stdout,
    );
  });
}
