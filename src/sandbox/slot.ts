import { type CgroupLayout, InstanceCgroup } from './cgroup.js';
import { SandboxError } from './errors.js';
import type { InstanceNetwork, NetworkPool } from './network-pool.js';
import type { InstanceHandle, SandboxSpec } from './types.js';

/**
 * What isolates one instance, for bwrap and runc alike: a cgroup with the spec's memory and pids limits, and a
 * named netns (from the pool) reached over a veth pair on its own /30. Opening is all-or-nothing.
 */
export class InstanceSlot {
  private constructor(
    readonly network: InstanceNetwork,
    readonly cgroup: InstanceCgroup,
    private readonly networks: NetworkPool,
  ) {}

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
    });
    try {
      return new InstanceSlot(await networks.take(), cgroup, networks);
    } catch (error) {
      await cgroup.destroy().catch(() => {});
      throw error;
    }
  }

  /** Removes the netns and veth and gives the /30 back; failures go to `errors`. */
  async closeNetwork(errors: unknown[]): Promise<void> {
    await this.networks.destroy(this.network).catch((error: unknown) => errors.push(error));
  }
}

/** Throws one error naming everything a stop could not clean up. */
export function throwIfLeftBehind(what: string, errors: unknown[]): void {
  if (errors.length === 0) return;
  const detail = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  throw new SandboxError(`stopping ${what} left resources behind: ${detail}`);
}

/** A sandbox's close(): stops the instances it still runs, then removes the pooled networks none of them took. */
export async function closeSandbox(
  handles: Iterable<InstanceHandle>,
  ready: Promise<{ networks: NetworkPool }> | undefined,
): Promise<void> {
  await Promise.all([...handles].map((handle) => handle.stop()));
  const tools = await ready?.catch(() => undefined);
  await tools?.networks.close();
}
