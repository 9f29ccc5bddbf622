import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSandboxCommand } from '../../src/sandbox/bwrap-args.js';
import type { SandboxSpec } from '../../src/sandbox/index.js';
import { SubnetAllocator } from '../../src/sandbox/network.js';
import { rewriteArgv, validateSpec } from '../../src/sandbox/spec.js';

const spec: SandboxSpec = {
  instanceId: 'fn-1',
  codeDir: '/var/lib/kumo/code/abc',
  command: ['/code/bootstrap', '--flag'],
  env: { SECRET: 's3cr3t', LD_PRELOAD: '/code/x.so' },
  port: 9000,
  memoryMb: 128,
  pidsLimit: 64,
  tmpSizeMb: 16,
};

test('subnet allocator hands out distinct /30 blocks, skips taken ones and reports exhaustion', () => {
  const allocator = new SubnetAllocator('10.1.2.0/29');
  assert.equal(allocator.blockOf('10.1.2.5'), 1);
  assert.equal(allocator.blockOf('10.1.2.9'), undefined);
  const first = allocator.allocate(new Set());
  const second = allocator.allocate(new Set());
  assert.notEqual(first.index, second.index);
  for (const block of [first, second]) {
    assert.equal(allocator.blockOf(block.hostIp), block.index);
    assert.equal(allocator.blockOf(block.sandboxIp), block.index);
  }
  assert.throws(() => allocator.allocate(new Set()), /exhausted/);
  allocator.free(first.index);
  assert.throws(() => allocator.allocate(new Set([first.index])), /exhausted/);
  assert.deepEqual(allocator.allocate(new Set()), first);
  assert.throws(() => new SubnetAllocator('10.0.0.0/31'), /invalid instance subnet/);
  assert.throws(() => new SubnetAllocator('300.0.0.0/16'), /invalid instance subnet/);
});

test('argv under /code and extra mounts is rewritten to host paths', () => {
  const map: Array<[string, string]> = [
    ['/code', '/host/code'],
    ['/opt/agent', '/host/agent/'],
  ];
  assert.deepEqual(rewriteArgv(['/code/bootstrap', '/code', '/codex', '/opt/agent/a.js', 'x'], map), [
    '/host/code/bootstrap',
    '/host/code',
    '/codex',
    '/host/agent/a.js',
    'x',
  ]);
});

test('invalid specs are rejected', () => {
  assert.doesNotThrow(() => validateSpec(spec));
  assert.throws(() => validateSpec({ ...spec, instanceId: 'Bad_ID' }), /instanceId/);
  assert.throws(() => validateSpec({ ...spec, command: [] }), /command is empty/);
  assert.throws(() => validateSpec({ ...spec, port: 0 }), /port/);
  assert.throws(() => validateSpec({ ...spec, memoryMb: 0 }), /memoryMb/);
  assert.throws(() => validateSpec({ ...spec, env: { 'A=B': '1' } }), /environment variable/);
});

test('bwrap command: env only through --args, loader variables applied after the uid switch', () => {
  const { bwrapArgs, command } = buildSandboxCommand(spec, '/usr/bin/setpriv', 10000);
  assert.equal(command.join(' ').includes('s3cr3t'), false, 'secrets never appear in a command line');
  assert.deepEqual(command.slice(0, 3), ['/usr/bin/setpriv', '--reuid=10000', '--regid=10000']);
  assert.deepEqual(command.slice(command.indexOf('--') + 1), [
    '/usr/bin/env',
    'LD_PRELOAD=/code/x.so',
    '/code/bootstrap',
    '--flag',
  ]);
  const setenv = (key: string): string | undefined => {
    const at = bwrapArgs.findIndex((arg, i) => arg === key && bwrapArgs[i - 1] === '--setenv');
    return at < 0 ? undefined : bwrapArgs[at + 1];
  };
  assert.equal(setenv('SECRET'), 's3cr3t');
  assert.equal(setenv('FC_SERVER_PORT'), '9000');
  assert.equal(setenv('FC_FUNC_CODE_PATH'), '/code');
  assert.equal(setenv('LD_PRELOAD'), undefined);
  assert.ok(bwrapArgs.includes('--clearenv'));
  const tmp = bwrapArgs.indexOf('/tmp', bwrapArgs.indexOf('--tmpfs'));
  assert.equal(bwrapArgs[tmp - 2], String(16 * 1024 * 1024));
  const code = bwrapArgs.indexOf('/code');
  assert.deepEqual(bwrapArgs.slice(code - 2, code + 1), ['--ro-bind', spec.codeDir, '/code']);
});
