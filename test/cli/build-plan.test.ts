// What `kumo build` decides to run per runtime, what `kumo deploy` warns about, the bounded build log and the
// s.yaml actions grammar: no network, no server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { missingDependencies, planBuild } from '../../src/cli/build/index.js';
import { BuildLog } from '../../src/cli/build/log.js';
import { interpreterMount } from '../../src/cli/build/plan.js';
import { readTemplate } from '../../src/cli/template/index.js';
import { findBinary } from '../../src/sandbox/index.js';

function folder(t: import('node:test').TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  }
  return dir;
}

const labels = (dir: string, runtime: string, handler = 'index.handler') =>
  planBuild(dir, runtime, handler).steps.map((s) => s.label);

test('each runtime family builds from its own manifest, with the runtime interpreter first on PATH', (t) => {
  const node = folder(t, { 'package.json': '{"dependencies":{"ms":"2.1.3"}}' });
  assert.deepEqual(labels(node, 'nodejs18'), ['npm install --omit=dev']);
  writeFileSync(join(node, 'package-lock.json'), '{}');
  assert.deepEqual(labels(node, 'nodejs20'), ['npm ci --omit=dev']);
  const nodePlan = planBuild(node, 'nodejs20', 'index.handler');
  assert.equal(nodePlan.interpreter, process.execPath, 'the Node.js the runtime runs');
  assert.ok(nodePlan.mounts.length > 0, "the runtime's agent folder is visible as in an instance");

  const noDeps = folder(t, { 'package.json': '{"type":"commonjs"}' });
  assert.deepEqual(labels(noDeps, 'nodejs20'), [], 'nothing to install');

  const python = folder(t, { 'requirements.txt': 'six\n', 'package.json': '{"dependencies":{"ms":"1"}}' });
  const pythonPlan = planBuild(python, 'python3.10', 'index.handler');
  assert.deepEqual(
    pythonPlan.steps.map((s) => s.label),
    ['pip install -r requirements.txt -t .'],
    'a Python function ignores package.json',
  );
  assert.equal(pythonPlan.steps[0]?.command[0], '/usr/bin/python3');
  assert.deepEqual(pythonPlan.steps[0]?.command.slice(-4), ['--target', '/code', '-r', 'requirements.txt']);

  const java = folder(t, { 'pom.xml': '<project/>' });
  assert.deepEqual(labels(java, 'java11', 'a.B::handle'), ['mvn package']);
  const go = folder(t, { 'go.mod': 'module x\n' });
  assert.deepEqual(labels(go, 'go1', 'main'), ['go build -o main']);
  assert.deepEqual(labels(go, 'custom'), ['go build -o bootstrap']);

  const script = folder(t, { 'build.sh': 'true', 'go.mod': 'module x\n', 'requirements.txt': 'six' });
  assert.deepEqual(labels(script, 'custom.debian10'), ['./build.sh'], 'build.sh takes over');
  assert.deepEqual(labels(folder(t, { 'index.js': '' }), 'custom'), []);
});

test('an interpreter outside the system folders is mounted read-only with its install prefix', (t) => {
  const prefix = folder(t, { 'bin/node': '' });
  assert.deepEqual(interpreterMount(join(prefix, 'bin/node'), undefined), [
    { hostPath: realpathSync(prefix), sandboxPath: prefix },
  ]);
  assert.deepEqual(interpreterMount('/usr/bin/python3', undefined), [], 'the system is visible anyway');
  assert.deepEqual(interpreterMount(join(prefix, 'bin/missing'), undefined), []);
});

test('composer.json without composer on the machine: the step says what is missing', (t) => {
  const php = folder(t, { 'composer.json': '{"require":{"monolog/monolog":"^3"}}' });
  const [step] = planBuild(php, 'php7.2', 'index.handler').steps;
  assert.equal(step?.label, 'composer install --no-dev');
  if (findBinary('composer')) assert.equal(step?.missing, undefined);
  else {
    assert.match(step?.missing ?? '', /composer is not installed on this machine/);
    mkdirSync(join(php, 'vendor'));
    assert.deepEqual(
      labels(php, 'php7.2'),
      [],
      'vendor/ is there already: nothing to build without composer',
    );
  }
});

test('kumo deploy warns about a manifest whose dependencies are not installed', (t) => {
  const node = folder(t, { 'package.json': '{"dependencies":{"ms":"2.1.3"}}' });
  assert.match(missingDependencies(node, 'nodejs20', 'index.handler') ?? '', /no node_modules/);
  mkdirSync(join(node, 'node_modules'));
  assert.equal(missingDependencies(node, 'nodejs20', 'index.handler'), undefined);

  const python = folder(t, { 'requirements.txt': '# none yet\n\n' });
  assert.equal(missingDependencies(python, 'python3.10', 'index.handler'), undefined, 'only comments');
  writeFileSync(join(python, 'requirements.txt'), 'six==1.16.0\n');
  assert.match(missingDependencies(python, 'python3.10', 'index.handler') ?? '', /none is installed/);
  mkdirSync(join(python, 'six-1.16.0.dist-info'));
  assert.equal(missingDependencies(python, 'python3.10', 'index.handler'), undefined);

  const go = folder(t, { 'go.mod': 'module x\n' });
  assert.match(missingDependencies(go, 'go1', 'main') ?? '', /no binary 'main'/);
});

test('the build log keeps 1 MiB on disk and the last lines in memory', (t) => {
  const dir = folder(t, {});
  const log = new BuildLog(join(dir, 'fn.log'), 1000);
  log.note('$ flood');
  for (let i = 0; i < 100; i++) log.write(Buffer.from(`line ${i} ${'x'.repeat(40)}\n`));
  log.close();
  const text = readFileSync(join(dir, 'fn.log'), 'utf8');
  assert.ok(statSync(join(dir, 'fn.log')).size < 1100);
  assert.match(text, /^\$ flood\nline 0 /);
  assert.match(text, /\[kumo: log cut at 1000 bytes; the rest was not kept\]\n$/);
  assert.ok(log.truncated);
  assert.match(log.tail(2), /^line 98 x+\nline 99 x+$/);
});

test('s.yaml actions: run actions in order with their folder; other hooks and component actions are refused', (t) => {
  const sYaml = (actions: string) =>
    `edition: 1.0.0\nservices:\n  fn:\n    component: fc\n    actions:\n${actions}\n    props:\n` +
    '      service: { name: s }\n      function: { name: f, runtime: python3.10, handler: index.handler, codeUri: ./ }\n';
  const dir = folder(t, {
    's.yaml': sYaml(
      '      pre-deploy:\n        - run: make\n          path: ./sub\n        - run: ls\n      post-deploy:\n        - run: echo ok',
    ),
  });
  const fn = readTemplate(dir).services[0]?.functions[0];
  assert.deepEqual(fn?.actions, [
    { hook: 'pre-deploy', run: 'make', path: join(dir, 'sub') },
    { hook: 'pre-deploy', run: 'ls', path: dir },
    { hook: 'post-deploy', run: 'echo ok', path: dir },
  ]);
  writeFileSync(join(dir, 's.yaml'), sYaml('      pre-deploy:\n        - component: fc build'));
  assert.throws(
    () => readTemplate(dir),
    /s\.yaml:7:\d+: services\.fn\.actions\.pre-deploy\.0: Kumo runs `run:` actions only/,
  );
  writeFileSync(join(dir, 's.yaml'), sYaml('      pre-deploy:\n        - run: ls\n          pth: ./x'));
  assert.throws(() => readTemplate(dir), /services\.fn\.actions\.pre-deploy\.0: .*pth/);
});
