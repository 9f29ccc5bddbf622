import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CgroupLayout, detectCgroupLayout, ensureCgroupParent } from './cgroup.js';
import { SandboxError } from './errors.js';
import { findBinary, run, SYSTEM_PATH, tryRun, within } from './exec.js';
import { cgroupHandle, exitOf } from './handle.js';
import { SubnetAllocator } from './network.js';
import { type NetworkOptions, NetworkPool } from './network-pool.js';
import { ociConfig, resolveImageUser } from './runc-config.js';
import { seccompSupported } from './seccomp.js';
import { cpuLimit, hostsFile, InstanceSlot, RunningInstances, throwIfLeftBehind } from './slot.js';
import { validateSpec } from './spec.js';
import { StagingArea } from './stage.js';
import type { InstanceHandle, Sandbox, SandboxImage, SandboxSpec } from './types.js';

export interface RuncSandboxOptions extends NetworkOptions {
  /** Where per-instance bundles (config.json, /etc/hosts, overlay dirs) are written, e.g. `<dataDir>/containers`. */
  stateDir: string;
  /** Private IPv4 subnet cut into one /30 per instance; default `10.214.0.0/16` (apart from bwrap's). */
  subnet?: string;
  /** Parent cgroup; default `kumo`. */
  cgroupParent?: string;
  /** runc's state directory (`--root`); default `/run/kumo-runc`. */
  runcRoot?: string;
  /** A per-instance overlay makes the root filesystem writable; default false (read-only, writable /tmp). */
  writableRootfs?: boolean;
}

interface Tools {
  runc: string;
  ip: string;
  mount: string | undefined;
  layout: CgroupLayout;
  networks: NetworkPool;
  /** Holds /code, the agents and /etc/hosts, so no bind mount shows a data-dir path; undefined if unmountable. */
  stage: StagingArea | undefined;
}

const UID_MIN = 10000;
const UID_MAX = 10999;

/**
 * Runs each instance of a custom-container function with runc from an OCI bundle whose root is the image's
 * shared cached rootfs (read-only), in its own network namespace (a veth /30) and cgroup (memory + pids limits),
 * as the image's user or a uid from 10000–10999, without capabilities. `runc run --keep` stays in the
 * foreground (stdout/stderr are its pipes, its exit status the container's) and leaves the cgroup in place
 * after an exit, so the peak memory and an OOM kill are still readable until `stop()`.
 */
export class RuncSandbox implements Sandbox {
  readonly kind = 'runc' as const;
  readonly #subnets: SubnetAllocator;
  readonly #parent: string;
  readonly #runcRoot: string;
  readonly #running = new RunningInstances();
  #ready: Promise<Tools> | undefined;
  #version = 'runc';
  #outbound = 'outbound network not set up yet';
  readonly #options: RuncSandboxOptions;

  constructor(options: RuncSandboxOptions) {
    this.#options = options;
    this.#subnets = new SubnetAllocator(options.subnet ?? '10.214.0.0/16');
    this.#parent = options.cgroupParent ?? 'kumo';
    this.#runcRoot = options.runcRoot ?? '/run/kumo-runc';
    if (!/^[A-Za-z0-9._-]+$/.test(this.#parent))
      throw new SandboxError(`invalid cgroup parent '${this.#parent}'`);
  }

  get reason(): string {
    const rootfs = this.#options.writableRootfs
      ? 'a writable overlay root'
      : 'a read-only overlay of the image rootfs';
    return (
      `${this.#version}: OCI bundles on ${rootfs} with a private /tmp, own pid/ipc/uts/mount/net namespaces ` +
      `(a veth /30 from ${this.#subnets.cidr}), cgroup memory + pids + cpu limits, ` +
      `${seccompSupported() ? 'a' : 'no'} seccomp filter, the image's user or a uid in ${UID_MIN}-${UID_MAX}, ` +
      `no capabilities; ${this.#outbound}`
    );
  }

  /** Finds runc and the cgroup hierarchy, sets the network policy up. Idempotent. */
  prepare(): Promise<Tools> {
    this.#ready ??= this.#doPrepare().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #doPrepare(): Promise<Tools> {
    const [runc, ip, mount] = ['runc', 'ip', 'mount'].map(findBinary);
    if (!runc || !ip) {
      throw new SandboxError(
        `missing executables: ${[runc ? '' : 'runc', ip ? '' : 'ip'].filter(Boolean).join(', ')}`,
      );
    }
    if (this.#options.writableRootfs && !mount) throw new SandboxError('a writable rootfs needs mount(8)');
    this.#version = (await run(runc, ['--version'])).split('\n')[0]?.trim() || 'runc';
    const layout = detectCgroupLayout();
    ensureCgroupParent(layout, this.#parent);
    mkdirSync(this.#options.stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.#runcRoot, { recursive: true, mode: 0o700 });
    const networks = await NetworkPool.open(ip, this.#subnets, this.#options);
    this.#outbound = networks.policy;
    networks.warm();
    return { runc, ip, mount, layout, networks, stage: await StagingArea.open('runc') };
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    validateSpec(spec);
    const image = spec.image;
    if (!image)
      throw new SandboxError(`instance ${spec.instanceId} has no image: the runc sandbox runs images only`);
    const tools = await this.prepare();
    return this.#running.start(spec.instanceId, (name, forget) =>
      this.#launch(spec, image, tools, name, forget),
    );
  }

  async #launch(
    spec: SandboxSpec,
    image: SandboxImage,
    tools: Tools,
    name: string,
    forget: () => void,
  ): Promise<InstanceHandle> {
    const user = await resolveImageUser(image, randomInt(UID_MIN, UID_MAX + 1));
    const staged = (await tools.stage?.stage(spec)) ?? { spec, release: () => {} };
    const slot = await InstanceSlot.open(tools.layout, this.#parent, name, tools.networks, spec).catch(
      (error: unknown) => {
        staged.release();
        throw error;
      },
    );
    const { cgroup: group } = slot;
    const bundle = join(this.#options.stateDir, name);
    const hosts = tools.stage ? join(tools.stage.root, `${name}.hosts`) : join(bundle, 'hosts');
    // The root is an overlay whenever mount(8) exists: bound directly, its mountinfo line would show the image
    // cache's host path (runc pivots into a bind mount of it).
    const overlay = tools.mount ? join(bundle, 'rootfs') : undefined;
    const writable = this.#options.writableRootfs === true;
    const undo = async () => {
      if (overlay) await tryRun('umount', [overlay]);
      await rm(bundle, { recursive: true, force: true }).catch(() => {});
      await group.destroy().catch(() => {});
      await slot.closeNetwork([]);
      await rm(hosts, { force: true }).catch(() => {});
      staged.release();
    };
    try {
      await mkdir(bundle, { mode: 0o711 });
      await writeFile(hosts, hostsFile(spec.instanceId, slot.sandboxIp), { mode: 0o644 });
      if (overlay) await mountOverlay(image.rootfs, bundle, overlay, writable);
      const config = ociConfig(staged.spec, image, {
        rootfs: overlay ?? image.rootfs,
        readonlyRootfs: !writable,
        hostsFile: hosts,
        netnsPath: `/run/netns/${slot.netns}`,
        cgroupsPath: `/${this.#parent}/${name}`,
        cpu: tools.layout.cpu ? cpuLimit(spec) : undefined,
        user,
      });
      await writeFile(join(bundle, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    } catch (error) {
      await undo();
      throw error instanceof SandboxError
        ? error
        : new SandboxError(`cannot prepare container ${spec.instanceId}: ${(error as Error).message}`);
    }
    const runcArgs = ['--root', this.#runcRoot, 'run', '--keep', '--bundle', bundle, name];
    const child = spawn(tools.runc, runcArgs, {
      env: { PATH: SYSTEM_PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.on('error', () => {}); // only a spawn failure, handled just below
    if (child.pid === undefined) {
      await undo();
      throw new SandboxError(`cannot spawn runc for instance ${spec.instanceId}`);
    }
    const runcPid = child.pid;
    const exited = exitOf(child, () => group.oomKillsSinceStart() > 0, true);
    const release = async () => {
      const errors: unknown[] = [];
      await group.kill().catch((error: unknown) => errors.push(error));
      if (!(await within(exited, 5000))) {
        try {
          process.kill(runcPid, 'SIGKILL');
        } catch {}
        await within(exited, 2000);
      }
      await group.destroy().catch((error: unknown) => errors.push(error));
      await run(tools.runc, ['--root', this.#runcRoot, 'delete', '--force', name]).catch((error: unknown) =>
        errors.push(error),
      );
      if (overlay) await run('umount', [overlay]).catch((error: unknown) => errors.push(error));
      await rm(bundle, { recursive: true, force: true }).catch((error: unknown) => errors.push(error));
      await rm(hosts, { force: true }).catch((error: unknown) => errors.push(error));
      staged.release();
      await slot.closeNetwork(errors);
      throwIfLeftBehind(`container ${spec.instanceId}`, errors);
    };
    return cgroupHandle({
      spec,
      host: slot.sandboxIp,
      pid: runcPid,
      child,
      exited,
      cgroup: group,
      release,
      forget,
      // runc exec runs the process as the container's own (user, env, cwd, capabilities, cgroup, namespaces).
      exec: (command) =>
        spawn(tools.runc, ['--root', this.#runcRoot, 'exec', name, ...command], {
          env: { PATH: SYSTEM_PATH },
          stdio: 'pipe',
          detached: true,
        }),
    });
  }

  async close(): Promise<void> {
    await this.#running.close(this.#ready);
    await (await this.#ready?.catch(() => undefined))?.stage?.close();
  }
}

/**
 * The instance's root: the shared rootfs as the lower layer, read-only (with an empty second layer) or with the
 * changes in the bundle. Layers go in as `/proc/self/fd/N` of mount(8), so the options every mountinfo shows name
 * no host path.
 */
async function mountOverlay(lower: string, bundle: string, target: string, writable: boolean): Promise<void> {
  const layers = writable ? ['upper', 'work'] : ['empty'];
  for (const dir of [...layers, 'rootfs']) await mkdir(join(bundle, dir), { mode: 0o755 });
  const fds = [lower, ...layers.map((dir) => join(bundle, dir))].map((path) => openSync(path, 'r'));
  try {
    const options = writable
      ? 'lowerdir=/proc/self/fd/3,upperdir=/proc/self/fd/4,workdir=/proc/self/fd/5'
      : 'lowerdir=/proc/self/fd/3:/proc/self/fd/4';
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { fds });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
