import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/ports.js';

const SERVER_JS = new URL('../fixtures/containers/server.js', import.meta.url).pathname;
const TOOLS = ['runc', 'skopeo', 'umoci', 'docker-registry', 'ip'];

function hasTool(name: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin'].some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the container tests cannot run here, or undefined. */
export function containerTestsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'containers need Linux';
  if (process.getuid?.() !== 0) return 'runc containers need root';
  const missing = TOOLS.filter((tool) => !hasTool(tool));
  if (missing.length > 0) {
    return `missing ${missing.join(', ')}: apt-get install runc skopeo umoci docker-registry iproute2`;
  }
  return undefined;
}

const run = (file: string, args: string[]): string =>
  execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A real Docker distribution registry (Debian's docker-registry) on 127.0.0.1, storage in a temp dir. */
export class TestRegistry {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'kumo-registry-'));
    const registry = new TestRegistry(dir, await freePort());
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: info',
        '  accesslog:',
        '    disabled: false',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'storage')}`,
        'http:',
        `  addr: 127.0.0.1:${registry.port}`,
        '',
      ].join('\n'),
    );
    await registry.resume();
    return registry;
  }

  /** (Re)starts the registry process and waits until it answers. */
  async resume(): Promise<void> {
    const child = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    this.child = child;
    for (let i = 0; i < 200; i++) {
      try {
        const response = await fetch(`http://${this.host}/v2/`);
        if (response.status === 200) return;
      } catch {}
      await sleep(25);
    }
    throw new Error(`docker-registry did not start: ${this.output}`);
  }

  /** Its access log so far (one line per HTTP request). */
  log(): string {
    return this.output;
  }

  /** Stops the registry process (its storage stays). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Shared libraries `ldd` lists for a binary (their resolved paths, plus the loader). */
function sharedLibraries(binary: string): string[] {
  const out = spawnSync('ldd', [binary], { encoding: 'utf8' }).stdout;
  return [...out.matchAll(/(\/[^\s]+) \(0x/g)].map((m) => m[1] ?? '').filter(Boolean);
}

export interface ImageOptions {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
}

/**
 * Builds a small OCI image in a layout under `workDir`: the host's node binary with its libraries and the test
 * server at /app/server.js, tagged `tag`. Returns the layout path.
 */
export function buildImage(workDir: string, tag: string, options: ImageOptions): string {
  const layout = join(workDir, 'layout');
  const rootfs = join(workDir, 'rootfs');
  if (!hasTool('umoci')) throw new Error('umoci missing');
  try {
    accessSync(join(layout, 'index.json'));
  } catch {
    mkdirSync(join(rootfs, 'app'), { recursive: true });
    const node = process.execPath;
    for (const file of [node, ...sharedLibraries(node)]) {
      mkdirSync(join(rootfs, dirname(file)), { recursive: true });
      copyFileSync(file, join(rootfs, file));
    }
    if (node !== '/usr/bin/node') {
      mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
      copyFileSync(node, join(rootfs, 'usr/bin/node'));
    }
    copyFileSync(SERVER_JS, join(rootfs, 'app/server.js'));
    mkdirSync(join(rootfs, 'data'));
    chmodSync(join(rootfs, 'data'), 0o1777); // writable by any uid: only the mount decides
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(
      join(rootfs, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:10123:10124::/tmp:/bin/sh\n',
    );
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:10124:\n');
    run('umoci', ['init', '--layout', layout]);
    run('umoci', ['new', '--image', `${layout}:base`]);
    run('umoci', ['insert', '--image', `${layout}:base`, rootfs, '/']);
  }
  const args = ['config', '--image', `${layout}:base`, '--tag', tag];
  for (const part of options.entrypoint ?? []) args.push('--config.entrypoint', part);
  for (const part of options.cmd ?? []) args.push('--config.cmd', part);
  for (const entry of options.env ?? []) args.push('--config.env', entry);
  if (options.workingDir) args.push('--config.workingdir', options.workingDir);
  if (options.user) args.push('--config.user', options.user);
  run('umoci', args);
  return layout;
}

/** Pushes `layout:tag` to the registry as `repository:tag`. */
export function pushImage(layout: string, tag: string, registry: TestRegistry, repository: string): string {
  const ref = `${registry.host}/${repository}:${tag}`;
  run('skopeo', [
    '--insecure-policy',
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout}:${tag}`,
    `docker://${ref}`,
  ]);
  return ref;
}

/** A suite's registry and one image built and pushed to it before the suite's tests; both removed after them. */
export interface SuiteImage {
  registry: TestRegistry;
  /** `host:port/repository:tag`, as a function's `customContainerConfig.image`. */
  image: string;
}

/**
 * Registers `before`/`after` hooks in the calling suite that start a registry and push an image built with
 * `options`; `enabled: false` (the suite is skipped) builds nothing. The returned object is filled in `before`.
 */
export function useSuiteImage(
  hooks: { before(fn: () => Promise<void>): void; after(fn: () => Promise<void>): void },
  repository: string,
  options: ImageOptions,
  enabled = true,
): Partial<SuiteImage> {
  const suite: Partial<SuiteImage> = {};
  let work: string | undefined;
  hooks.before(async () => {
    if (!enabled) return;
    suite.registry = await TestRegistry.start();
    work = mkdtempSync(join(tmpdir(), 'kumo-image-build-'));
    const tag = repository.split('/').pop() ?? 'image';
    suite.image = pushImage(buildImage(work, tag, options), tag, suite.registry, repository);
  });
  hooks.after(async () => {
    await suite.registry?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return suite;
}

/** A TCP forwarder on this machine's first non-loopback IPv4 address to `127.0.0.1:port`; its `ip:port`. */
export async function forwardOffLoopback(t: TestContext, port: number): Promise<string | undefined> {
  const ip = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!ip) return undefined;
  const sockets = new Set<Socket>();
  const forwarder = createServer((socket) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, ip, resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    forwarder.close();
  });
  return `${ip}:${(forwarder.address() as AddressInfo).port}`;
}
