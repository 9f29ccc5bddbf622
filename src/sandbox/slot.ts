import { availableParallelism } from 'node:os';
import { type CgroupLayout, CPU_PERIOD_US, InstanceCgroup, vcpusFor } from './cgroup.js';
import { SandboxError } from './errors.js';
import { pidAlive } from './exec.js';
import type { InstanceNetwork, NetworkPool } from './network-pool.js';
import type { InstanceHandle, SandboxSpec } from './types.js';

/**
 * Names of every host resource Kumo makes (netns, veth aliases, cgroups, runc containers, nftables tables, staging
 * mounts, bundles): `kumo-<Kumo's pid>-<name>`, so a dead Kumo's are recognisable.
 */
const OWNED = /^kumo-(\d+)-[A-Za-z0-9-]{1,40}$/;

/** The slot name of one of this Kumo's instances. */
export const slotName = (instanceId: string): string => `kumo-${process.pid}-${instanceId}`;

/** True for a resource name `kumo-<pid>-…` whose Kumo process is gone (never this process). */
export function isStaleSlot(name: string): boolean {
  const pid = Number(OWNED.exec(name)?.[1] ?? Number.NaN);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
}

/** The instance's /etc/hosts: its hostname must resolve without DNS (servers may look it up at start). */
export function hostsFile(instanceId: string, ip: string): string {
  return `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n${ip} fc-${instanceId}\n`;
}

/**
 * What isolates one instance, for bwrap and runc alike: a cgroup with the spec's memory and pids limits, and a
 * named netns (from the pool) reached over a veth pair on its own /30. Opening is all-or-nothing.
 */
export class InstanceSlot {
  readonly #networks: NetworkPool;

  private constructor(
    readonly network: InstanceNetwork,
    readonly cgroup: InstanceCgroup,
    networks: NetworkPool,
  ) {
    this.#networks = networks;
  }

  get netns(): string {
    return this.network.netns;
  }

  get sandboxIp(): string {
    return this.network.block.sandboxIp;
  }

  static async open(
    layout: CgroupLayout,
    parent: string,
    name: string,
    networks: NetworkPool,
    spec: SandboxSpec,
  ): Promise<InstanceSlot> {
    const cgroup = InstanceCgroup.create(layout, parent, name, {
      memoryBytes: spec.memoryMb * 1024 * 1024,
      pidsMax: spec.pidsLimit,
      cpu: cpuLimit(spec),
    });
    try {
      return new InstanceSlot(await networks.take(spec.internetAccess), cgroup, networks);
    } catch (error) {
      await cgroup.destroy().catch(() => {});
      throw error;
    }
  }

  /** Removes the netns and veth and gives the /30 back; failures go to `errors`. */
  async closeNetwork(errors: unknown[]): Promise<void> {
    await this.#networks.destroy(this.network).catch((error: unknown) => errors.push(error));
  }
}

/** The instance's CFS quota (see `vcpusFor`). */
export function cpuLimit(spec: SandboxSpec): { quotaUs: number; periodUs: number } {
  const vcpus = vcpusFor(spec.memoryMb, availableParallelism(), spec.cpuCores);
  return { quotaUs: Math.round(vcpus * CPU_PERIOD_US), periodUs: CPU_PERIOD_US };
}

/** Throws one error naming everything a stop could not clean up. */
export function throwIfLeftBehind(what: string, errors: unknown[]): void {
  if (errors.length === 0) return;
  const detail = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  throw new SandboxError(`stopping ${what} left resources behind: ${detail}`);
}

/**
 * The instances one sandbox (bwrap or runc) runs, by slot name `kumo-<Kumo's pid>-<instanceId>` (the name of the
 * instance's cgroup and runc container). A name is taken before the (async) start, so two starts of one id cannot
 * race, and stays taken until the instance's handle has stopped.
 */
export class RunningInstances {
  readonly #taken = new Set<string>();
  readonly #handles = new Map<string, InstanceHandle>();

  /** Runs `launch` under the instance's slot name; `forget` must run once its handle has stopped. */
  async start(
    instanceId: string,
    launch: (name: string, forget: () => void) => Promise<InstanceHandle>,
  ): Promise<InstanceHandle> {
    const name = slotName(instanceId);
    if (this.#taken.has(name)) throw new SandboxError(`instance ${instanceId} is already running`);
    this.#taken.add(name);
    try {
      const handle = await launch(name, () => {
        this.#handles.delete(name);
        this.#taken.delete(name);
      });
      this.#handles.set(name, handle);
      return handle;
    } catch (error) {
      this.#taken.delete(name);
      throw error;
    }
  }

  /** Stops every instance still running, then removes the pooled networks none of them took. */
  async close(ready: Promise<{ networks: NetworkPool }> | undefined): Promise<void> {
    await Promise.all([...this.#handles.values()].map((handle) => handle.stop()));
    const tools = await ready?.catch(() => undefined);
    await tools?.networks.close();
  }
}
