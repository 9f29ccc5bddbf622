import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { buildSandboxCommand, dataFds } from './bwrap-args.js';
import { type CgroupLayout, detectCgroupLayout, ensureCgroupParent, type InstanceCgroup } from './cgroup.js';
import { enterBwrapInstance, firstChild } from './enter.js';
import { SandboxError } from './errors.js';
import { findBinary, SYSTEM_PATH, within } from './exec.js';
import { GenericSlot } from './generic-slot.js';
import { cgroupHandle, exitOf } from './handle.js';
import { MountHelper } from './mount-helper.js';
import { SubnetAllocator } from './network.js';
import { type NetworkOptions, NetworkPool } from './network-pool.js';
import { seccompSupported } from './seccomp.js';
import { cpuLimit, InstanceSlot, RunningInstances, throwIfLeftBehind } from './slot.js';
import { validateSpec } from './spec.js';
import { StagingArea } from './stage.js';
import type { GenericInstance, InstanceHandle, Sandbox, SandboxSpec } from './types.js';

export interface BwrapSandboxOptions extends NetworkOptions {
  /** Private IPv4 subnet cut into one /30 per instance; default `10.213.0.0/16`. */
  subnet?: string;
  /** uid and gid the instance's processes run as; default 10000. */
  uid?: number;
  /** Parent cgroup (created under each hierarchy's root); default `kumo`. */
  cgroupParent?: string;
}

interface Prepared {
  bwrap: string;
  ip: string;
  setpriv: string;
  layout: CgroupLayout;
  networks: NetworkPool;
  /** Undefined when no tmpfs could be mounted: instances then see host paths in their mountinfo. */
  stage: StagingArea | undefined;
}

/** Puts itself into the cgroups (argv: count, procs files…), then execs the rest of argv. */
export const JOIN_CGROUPS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

/**
 * Runs each instance under bubblewrap in its own network namespace (veth pair, /30 per instance, listening on
 * `spec.port`) and its own cgroup (memory + pids limits), as a non-root uid without capabilities.
 */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;
  readonly #subnets: SubnetAllocator;
  readonly #uid: number;
  readonly #parent: string;
  readonly #running = new RunningInstances();
  #ready: Promise<Prepared> | undefined;
  #cgroupVersion: number | undefined;
  #outbound = 'outbound network not set up yet';
  readonly #options: BwrapSandboxOptions;
  readonly #mounts = new MountHelper();
  #genericSlots = 0;
  /** The cgroups of generic instances, whose limits change when they are specialised. */
  readonly #cgroups = new WeakMap<InstanceHandle, InstanceCgroup>();

  constructor(options: BwrapSandboxOptions = {}) {
    this.#options = options;
    this.#subnets = new SubnetAllocator(options.subnet ?? '10.213.0.0/16');
    this.#uid = options.uid ?? 10000;
    this.#parent = options.cgroupParent ?? 'kumo';
    if (!Number.isInteger(this.#uid) || this.#uid <= 0)
      throw new SandboxError(`invalid sandbox uid ${this.#uid}`);
    if (!/^[A-Za-z0-9._-]+$/.test(this.#parent))
      throw new SandboxError(`invalid cgroup parent '${this.#parent}'`);
  }

  get reason(): string {
    const cgroup = this.#cgroupVersion ? `cgroup v${this.#cgroupVersion}` : 'cgroup';
    return (
      `bubblewrap: own mount/pid/ipc/uts/net namespaces (a veth /30 from ${this.#subnets.cidr} per instance, ` +
      'each listening on its own CAPort), ' +
      `${cgroup} memory + pids + cpu limits under ${this.#parent}/, uid ${this.#uid} without capabilities, ` +
      `${seccompSupported() ? 'a seccomp filter, ' : 'no seccomp filter (x86_64 only), '}` +
      `read-only /code, private size-limited /tmp; ${this.#outbound}`
    );
  }

  /** Finds the tools and the cgroup hierarchy, sets the network policy up. Idempotent. */
  prepare(): Promise<Prepared> {
    this.#ready ??= this.#doPrepare().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #doPrepare(): Promise<Prepared> {
    const [bwrap, ip, setpriv] = ['bwrap', 'ip', 'setpriv'].map(findBinary);
    if (!bwrap || !ip || !setpriv) {
      const missing = ['bwrap', 'ip', 'setpriv'].filter((_, i) => ![bwrap, ip, setpriv][i]);
      throw new SandboxError(`missing executables: ${missing.join(', ')}`);
    }
    const layout = detectCgroupLayout();
    this.#cgroupVersion = layout.version;
    ensureCgroupParent(layout, this.#parent);
    const networks = await NetworkPool.open(ip, this.#subnets, this.#options);
    this.#outbound = networks.policy;
    networks.warm();
    const stage = await StagingArea.open('bwrap');
    return { bwrap, ip, setpriv, layout, networks, stage };
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    validateSpec(spec);
    const tools = await this.prepare();
    const stat = statSync(spec.codeDir, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) throw new SandboxError(`code directory ${spec.codeDir} does not exist`);
    if ((stat.mode & 0o005) !== 0o005) {
      throw new SandboxError(
        `code directory ${spec.codeDir} must be world-readable (o+rx): instances run as uid ${this.#uid}`,
      );
    }
    return this.#running.start(spec.instanceId, (name, forget) => this.#launch(spec, tools, name, forget));
  }

  /** True where `startGeneric` works (root: the staging tmpfs and the mount helper). */
  get canStartGeneric(): boolean {
    return MountHelper.available();
  }

  /** Starts an instance without code (`spec.codeDir` is ignored): see GenericInstance. */
  async startGeneric(spec: SandboxSpec): Promise<GenericInstance> {
    validateSpec({ ...spec, codeDir: '' });
    const tools = await this.prepare();
    const stage = tools.stage;
    if (!stage || !this.canStartGeneric) throw new SandboxError('pre-warmed instances need root and python3');
    let generic: GenericSlot | undefined;
    let releaseCode = () => {};
    const open = async (ip: string) => {
      const dir = `${stage.root}/s${++this.#genericSlots}`;
      generic = await GenericSlot.open(dir, this.#mounts, spec.instanceId, ip);
      return generic;
    };
    const close = async () => {
      await generic?.close();
      releaseCode();
    };
    const handle = await this.#running.start(spec.instanceId, (name, forget) =>
      this.#launch({ ...spec, codeDir: '' }, tools, name, forget, { open, close }),
    );
    const specialize = async (target: SandboxSpec): Promise<void> => {
      validateSpec(target);
      if (!generic) throw new SandboxError('the pre-warmed instance has no slot');
      const inner = firstChild(handle.pid);
      if (inner === undefined) throw new SandboxError('the pre-warmed instance has exited');
      generic.writeHosts(target.instanceId, handle.host);
      this.#cgroups.get(handle)?.setLimits({
        memoryBytes: target.memoryMb * 1024 * 1024,
        pidsMax: target.pidsLimit,
        cpu: cpuLimit(target),
      });
      const code = await stage.stage({ ...target, readOnlyMounts: [] });
      releaseCode = code.release;
      await generic.bindCode(code.spec.codeDir, { pid: inner, name: `fc-${target.instanceId}` });
    };
    return { handle, specialize };
  }

  async #launch(
    spec: SandboxSpec,
    tools: Prepared,
    name: string,
    forget: () => void,
    generic?: { open(ip: string): Promise<GenericSlot>; close(): Promise<void> },
  ): Promise<InstanceHandle> {
    const staged = (await tools.stage?.stage(spec)) ?? { spec, release: () => {} };
    const slot = await InstanceSlot.open(tools.layout, this.#parent, name, tools.networks, spec).catch(
      (error: unknown) => {
        staged.release();
        throw error;
      },
    );
    const late = await generic?.open(slot.sandboxIp).catch(async (error: unknown) => {
      await slot.cgroup.destroy().catch(() => {});
      await slot.closeNetwork([]);
      staged.release();
      throw error;
    });
    if (late) staged.spec = { ...staged.spec, codeDir: late.codeDir };
    const { bwrapArgs, command } = buildSandboxCommand(
      staged.spec,
      tools.setpriv,
      this.#uid,
      late?.hostsPath,
    );
    const { cgroup: group } = slot;
    const argv = ['-c', JOIN_CGROUPS, 'kumo-join', String(group.procsFiles.length), ...group.procsFiles];
    argv.push(tools.ip, 'netns', 'exec', slot.netns, tools.bwrap, '--args', '3', ...command);
    const fds = dataFds(spec, slot.sandboxIp, this.#uid);
    const child = spawn('/bin/sh', argv, {
      env: { PATH: SYSTEM_PATH },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...fds.map(() => 'pipe' as const)],
      detached: true,
    });
    child.on('error', () => {}); // only a spawn failure, handled just below
    if (child.pid === undefined) {
      await group.destroy().catch(() => {});
      await slot.closeNetwork([]);
      staged.release();
      await generic?.close();
      throw new SandboxError(`cannot spawn /bin/sh for instance ${spec.instanceId}`);
    }
    // bwrap never reads these when joining the cgroup failed: write errors are expected then.
    [Buffer.from(bwrapArgs.map((arg) => `${arg}\0`).join('')), ...fds].forEach((data, i) => {
      const pipe = child.stdio[3 + i] as Writable;
      pipe.on('error', () => {});
      pipe.end(data);
    });
    const exited = exitOf(child, () => group.oomKillsSinceStart() > 0, true);
    const { pid } = child;
    const release = async () => {
      const errors: unknown[] = [];
      await group.kill().catch((error: unknown) => errors.push(error));
      await within(exited, 5000);
      await group.destroy().catch((error: unknown) => errors.push(error));
      staged.release();
      await generic?.close();
      await slot.closeNetwork(errors);
      throwIfLeftBehind(`instance ${spec.instanceId}`, errors);
    };
    const handle = cgroupHandle({
      spec,
      host: slot.sandboxIp,
      pid: child.pid,
      child,
      exited,
      cgroup: group,
      release,
      forget,
      exec: (command, options) => {
        const nsenter = findBinary('nsenter');
        if (!nsenter) throw new SandboxError('nsenter (util-linux) is missing: cannot enter the instance');
        const enter = {
          nsenter,
          bwrap: tools.bwrap,
          setpriv: tools.setpriv,
          uid: this.#uid,
          procsFiles: group.procsFiles,
        };
        return enterBwrapInstance(pid, enter, command, options?.tty === true);
      },
    });
    if (generic) this.#cgroups.set(handle, group);
    return handle;
  }

  async close(): Promise<void> {
    await this.#running.close(this.#ready);
    await (await this.#ready?.catch(() => undefined))?.stage?.close();
    this.#mounts.close();
  }
}
