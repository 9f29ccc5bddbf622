import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JAVA } from '../../src/runtimes/java.js';
import { parsePrewarm } from '../../src/sandbox/index.js';
import { type GenericSpec, poolCommand, servesSpec } from '../../src/sandbox/prewarm/shape.js';
import type { SandboxSpec } from '../../src/sandbox/types.js';

test('KUMO_PREWARM: runtime[:MB]=count pairs; empty or 0 is none; bad input says what is wrong', () => {
  assert.deepEqual(parsePrewarm(''), []);
  assert.deepEqual(parsePrewarm('0'), []);
  assert.deepEqual(parsePrewarm('nodejs20=2, python3.10=1,nodejs20:512=1'), [
    { name: 'nodejs20', runtime: 'nodejs20', size: 2 },
    { name: 'python3.10', runtime: 'python3.10', size: 1 },
    { name: 'nodejs20:512', runtime: 'nodejs20', size: 1, memoryMb: 512 },
  ]);
  assert.throws(() => parsePrewarm('nodejs20'), /runtime\[:memoryMB\]=count/);
  assert.throws(() => parsePrewarm('nodejs20:100=1'), /multiple of 64 from 128 to 3072/);
  assert.throws(() => parsePrewarm('nodejs20:4096=1'), /multiple of 64/);
  assert.throws(() => parsePrewarm('nodejs20:128=1,nodejs20=2'), /twice/, '128 MB is the default size');
  assert.deepEqual(parsePrewarm('java8=1,java11=2'), [
    { name: 'java8', runtime: 'java8', size: 1 },
    { name: 'java11', runtime: 'java11', size: 2 },
  ]);
  assert.throws(() => parsePrewarm('custom=1'), /cannot be pre-warmed/);
  assert.throws(() => parsePrewarm('nodejs20=1,nodejs20=2'), /twice/);
  assert.throws(() => parsePrewarm('nodejs20=999'), /at most/);
});

const generic: GenericSpec = {
  command: ['/usr/bin/python3', '-u', '/opt/kumo/runtimes/python/agent.py'],
  env: { PATH: '/usr/bin', TZ: 'UTC', PYTHONPATH: '/code' },
  port: 9000,
  memoryMb: 128,
  pidsLimit: 512,
  tmpSizeMb: 512,
  internetAccess: true,
  readOnlyMounts: [{ hostPath: '/agents', sandboxPath: '/opt/kumo/runtimes' }],
};
const fits: SandboxSpec = {
  ...generic,
  instanceId: 'i1',
  codeDir: '/data/code/ab',
  memoryMb: 1024,
  cpuCores: 1,
  env: { ...generic.env, FC_RUNTIME: 'python3.10', MY_VAR: 'x', FC_FUNCTION_NAME: 'f' },
};

test('a pool serves the functions of its shape only', () => {
  assert.equal(
    servesSpec('python3.10', generic, fits),
    true,
    'memory, vCPUs and own variables are set later',
  );
  const misses: Array<[string, SandboxSpec]> = [
    ['another runtime', { ...fits, env: { ...fits.env, FC_RUNTIME: 'python3.9' } }],
    ['no internet access', { ...fits, internetAccess: false }],
    ['another CAPort', { ...fits, port: 8080 }],
    [
      'layers',
      { ...fits, readOnlyMounts: [...(fits.readOnlyMounts ?? []), { hostPath: '/l', sandboxPath: '/opt' }] },
    ],
    ['another argv (Node.js heap size)', { ...fits, command: [...fits.command, '--x'] }],
    ['a runtime default overridden', { ...fits, env: { ...fits.env, TZ: 'Asia/Shanghai' } }],
    ['a start-up variable of its own', { ...fits, env: { ...fits.env, PYTHONHASHSEED: '0' } }],
    [
      'an image',
      {
        ...fits,
        image: {
          rootfs: '/r',
          digest: 'sha256:x',
          config: { entrypoint: [], cmd: [], env: [], workingDir: '', user: '' },
        },
      },
    ],
  ];
  for (const [why, spec] of misses) assert.equal(servesSpec('python3.10', generic, spec), false, why);
});

test('php7.2 and go1 can be pooled; go1 pools serve any handler, PHP start-up variables need a normal start', () => {
  assert.deepEqual(parsePrewarm('php7.2=1,go1=2'), [
    { name: 'php7.2', runtime: 'php7.2', size: 1 },
    { name: 'go1', runtime: 'go1', size: 2 },
  ]);
  const bridge = ['/usr/bin/node', '/opt/kumo/runtimes/runtime-api/bridge.cjs'];
  assert.deepEqual(poolCommand('go1', [...bridge, '/code/main'], 'main'), bridge);
  assert.equal(poolCommand('go1', [...bridge, '/code/other'], 'main'), undefined);
  const go: GenericSpec = { ...generic, command: bridge, env: { PATH: '/usr/bin' } };
  const goFits: SandboxSpec = {
    ...go,
    instanceId: 'i2',
    codeDir: '/data/code/cd',
    command: [...bridge, '/code/bootstrap'],
    env: { PATH: '/usr/bin', FC_RUNTIME: 'go1', FC_FUNCTION_HANDLER: 'bootstrap', GOGC: '50' },
  };
  assert.equal(
    servesSpec('go1', go, goFits),
    true,
    'the executable and its Go variables are taken once specialised',
  );
  assert.equal(servesSpec('go1', go, { ...goFits, command: [...bridge, '/code/x'] }), false);
  assert.equal(servesSpec('go1', go, { ...goFits, env: { ...goFits.env, NODE_OPTIONS: '-r x' } }), false);
  const php: GenericSpec = {
    ...generic,
    env: { PATH: '/usr/bin', PHP_INI_SCAN_DIR: '/etc/php:/code/extension' },
  };
  const phpFits: SandboxSpec = {
    ...php,
    instanceId: 'i3',
    codeDir: '/c',
    env: { ...php.env, FC_RUNTIME: 'php7.2' },
  };
  assert.equal(servesSpec('php7.2', php, phpFits), true);
  for (const env of [{ PHPRC: '/code' }, { PHP_INI_SCAN_DIR: '/code' }] as Record<string, string>[]) {
    assert.equal(servesSpec('php7.2', php, { ...phpFits, env: { ...phpFits.env, ...env } }), false);
  }
});

test('a java pool serves functions of its memory size without JVM start-up variables of their own', () => {
  const command = (memorySize: number) => JAVA.command({ memorySize } as Parameters<typeof JAVA.command>[0]);
  const java: GenericSpec = { ...generic, command: command(128), env: { PATH: '/usr/bin', TZ: 'UTC' } };
  const fn: SandboxSpec = {
    ...fits,
    command: command(128),
    env: { ...java.env, FC_RUNTIME: 'java11', MY: 'x' },
  };
  assert.equal(servesSpec('java11', java, fn), true);
  assert.equal(servesSpec('java11', java, { ...fn, command: command(256) }), false, 'another -Xmx');
  for (const name of ['JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH']) {
    assert.equal(servesSpec('java11', java, { ...fn, env: { ...fn.env, [name]: '-Xss4m' } }), false, name);
  }
});
