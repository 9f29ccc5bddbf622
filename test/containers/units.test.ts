import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ImageError, parseImageReference, parseRegistryAuth } from '../../src/images/index.js';
import { readManifest, sha256Digest } from '../../src/images/manifest.js';
import { isLoopbackRegistry } from '../../src/images/settings.js';
import { skopeoMessage } from '../../src/images/skopeo.js';
import type { FunctionRecord } from '../../src/model/index.js';
import { containerCommand } from '../../src/runtimes/index.js';
import {
  CompositeSandbox,
  type Sandbox,
  type SandboxImage,
  type SandboxSpec,
} from '../../src/sandbox/index.js';
import { containerEnv, resolveImageUser } from '../../src/sandbox/runc-config.js';

test('image references are parsed and normalised as Docker does', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['user/app:1.0', 'docker.io/user/app:1.0'],
    ['127.0.0.1:5000/test/app:v1', '127.0.0.1:5000/test/app:v1'],
    ['localhost/app', 'localhost/app:latest'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app:v2', 'registry.cn-hangzhou.aliyuncs.com/ns/app:v2'],
    [`reg.io/a/b@sha256:${'a'.repeat(64)}`, `reg.io/a/b@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, name] of cases) assert.equal(parseImageReference(input).name, name, input);
  assert.equal(parseImageReference('127.0.0.1:5000/test/app:v1').registry, '127.0.0.1:5000');
  for (const bad of [
    '',
    ' app',
    'App:1',
    'reg.io/app:bad tag',
    'a//b',
    'reg.io/app@sha256:123',
    'x:'.repeat(3),
  ]) {
    assert.throws(
      () => parseImageReference(bad),
      (e: unknown) => e instanceof ImageError && e.kind === 'invalid',
      bad,
    );
  }
});

test('loopback registries (as Docker counts them) need no KUMO_REGISTRY_INSECURE; others do', () => {
  for (const host of [
    'localhost',
    'localhost:5000',
    'LOCALHOST:1',
    '127.0.0.1:5000',
    '127.1.2.3',
    '[::1]:5000',
    '[::1]',
  ])
    assert.equal(isLoopbackRegistry(host), true, host);
  for (const host of [
    'reg.io',
    '192.0.2.2:5000',
    '128.0.0.1',
    '127.0.0.1.nip.io',
    '127.0.0.256',
    '[::2]:5000',
    'localhost.example',
  ])
    assert.equal(isLoopbackRegistry(host), false, host);
});

test('registry credentials parse from host=user:password lists', () => {
  assert.deepEqual(parseRegistryAuth('reg.io=u:p:with:colons, 127.0.0.1:5000=a:b'), {
    'reg.io': { username: 'u', password: 'p:with:colons' },
    '127.0.0.1:5000': { username: 'a', password: 'b' },
  });
  assert.throws(() => parseRegistryAuth('reg.io=nopassword'), /reg\.io/);
});

test("skopeo's fatal line becomes a short message", () => {
  const stderr =
    'time="2026-01-01T00:00:00Z" level=fatal msg="Error parsing image name \\"docker://127.0.0.1:5000/a:nope\\": ' +
    'reading manifest nope in 127.0.0.1:5000/a: manifest unknown: manifest unknown"\n';
  assert.equal(
    skopeoMessage(stderr),
    'reading manifest nope in 127.0.0.1:5000/a: manifest unknown: manifest unknown',
  );
});

test('a manifest list resolves to the entry of this host platform; sizes add up', () => {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const digest = `sha256:${'b'.repeat(64)}`;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { digest: `sha256:${'c'.repeat(64)}`, platform: { os: 'linux', architecture: 's390x' } },
        { digest, platform: { os: 'linux', architecture: arch } },
      ],
    }),
  );
  assert.deepEqual(readManifest(index, 'x'), {
    kind: 'index',
    digest: sha256Digest(index),
    platformDigest: digest,
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { digest, size: 10 },
      layers: [
        { digest, size: 100 },
        { digest, size: 1000 },
      ],
    }),
  );
  assert.deepEqual(readManifest(manifest, 'x'), {
    kind: 'manifest',
    digest: sha256Digest(manifest),
    compressedBytes: 1110,
  });
});

const fnWith = (command?: string, args?: string): FunctionRecord =>
  ({ customContainerConfig: { image: 'x', command, args } }) as unknown as FunctionRecord;

test("FC's Command/Args override the image's ENTRYPOINT/CMD (as Kubernetes' command/args)", () => {
  const image = { entrypoint: ['/entry'], cmd: ['--cmd'], env: [], workingDir: '', user: '' };
  assert.deepEqual(containerCommand(fnWith(), image), ['/entry', '--cmd']);
  assert.deepEqual(containerCommand(fnWith(undefined, '["--a"]'), image), ['/entry', '--a']);
  assert.deepEqual(containerCommand(fnWith('["/bin/x"]'), image), ['/bin/x']);
  assert.deepEqual(containerCommand(fnWith('["/bin/x"]', '["y"]'), image), ['/bin/x', 'y']);
  assert.deepEqual(containerCommand(fnWith('', ''), image), ['/entry', '--cmd'], 'empty strings mean unset');
});

function imageWith(user: string, files: Record<string, string> = {}): SandboxImage & { cleanup(): void } {
  const rootfs = mkdtempSync(join(tmpdir(), 'kumo-rootfs-'));
  mkdirSync(join(rootfs, 'etc'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(rootfs, 'etc', name), text);
  return {
    rootfs,
    digest: 'sha256:x',
    config: { entrypoint: [], cmd: [], env: ['PATH=/img/bin', 'A=image'], workingDir: '', user },
    cleanup: () => rmSync(rootfs, { recursive: true, force: true }),
  };
}

test("the container user: the image's (by name or number), never root", async () => {
  const passwd = 'root:x:0:0::/root:/bin/sh\nweb:x:1234:2345::/srv:/bin/sh\n';
  const group = 'root:x:0:\nstaff:x:50:\n';
  const cases: Array<[string, { uid: number; gid: number }]> = [
    ['', { uid: 10500, gid: 10500 }],
    ['root', { uid: 10500, gid: 10500 }],
    ['0:0', { uid: 10500, gid: 10500 }],
    ['web', { uid: 1234, gid: 2345 }],
    ['web:staff', { uid: 1234, gid: 50 }],
    ['1234', { uid: 1234, gid: 2345 }],
    ['777:888', { uid: 777, gid: 888 }],
    ['999', { uid: 999, gid: 999 }],
  ];
  for (const [user, expected] of cases) {
    const image = imageWith(user, { passwd, group });
    try {
      assert.deepEqual(await resolveImageUser(image, 10500), expected, user);
    } finally {
      image.cleanup();
    }
  }
  const missing = imageWith('nobody-here', { passwd });
  await assert.rejects(resolveImageUser(missing, 10500), /'nobody-here' is not in its \/etc\/passwd/);
  missing.cleanup();
  // A symlinked /etc/passwd is never followed (it could point at a host file).
  const linked = imageWith('web');
  symlinkSync('/etc/passwd', join(linked.rootfs, 'etc', 'passwd'));
  await assert.rejects(resolveImageUser(linked, 10500), /not in its \/etc\/passwd/);
  linked.cleanup();
});

test('the container environment: image, then function, then the port; PATH and HOME defaults', () => {
  const image = imageWith('');
  const spec = { env: { A: 'function', B: 'b' }, port: 9000, codeDir: '' } as unknown as SandboxSpec;
  const env = containerEnv(spec, image);
  image.cleanup();
  assert.ok(env.includes('PATH=/img/bin'));
  assert.ok(env.includes('A=function'));
  assert.ok(env.includes('FC_SERVER_PORT=9000'));
  assert.ok(env.includes('HOME=/tmp'));
  assert.ok(!env.some((e) => e.startsWith('FC_FUNC_CODE_PATH=')), 'no /code in a container without code');
});

test('the composite sandbox routes images to the container sandbox and refuses them without one', async () => {
  const started: string[] = [];
  const fake = (kind: 'bwrap' | 'runc'): Sandbox => ({
    kind,
    reason: `${kind} reason`,
    start: async (spec) => {
      started.push(`${kind}:${spec.instanceId}`);
      return {
        instanceId: spec.instanceId,
        host: '127.0.0.1',
        port: 1,
        pid: 1,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        exited: new Promise(() => {}),
        peakMemoryBytes: () => 0,
        resetPeakMemory: () => {},
        stop: async () => {},
      };
    },
    close: async () => {},
  });
  const spec = { instanceId: 'a' } as SandboxSpec;
  const image = { ...spec, instanceId: 'b', image: { rootfs: '/', digest: 'x', config: {} } } as SandboxSpec;
  const both = new CompositeSandbox(fake('bwrap'), fake('runc'));
  await both.start(spec);
  await both.start(image);
  assert.deepEqual(started, ['bwrap:a', 'runc:b']);
  assert.equal(both.kind, 'bwrap');
  assert.match(both.reason, /bwrap reason; containers: runc reason/);
  const none = new CompositeSandbox(fake('bwrap'), 'runc not installed');
  await assert.rejects(none.start(image), /container images cannot run on this server: runc not installed/);
  assert.equal(none.containerReason, 'unavailable: runc not installed');
});
