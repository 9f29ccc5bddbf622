import { type CgroupLayout, InstanceCgroup } from './cgroup.js';
import { SandboxError } from './errors.js';
import {
  type AddressBlock,
  createNetwork,
  destroyNetwork,
  type SubnetAllocator,
  takenBlocks,
  vethName,
} from './network.js';
import type { SandboxSpec } from './types.js';

/**
 * What isolates one instance, for bwrap and runc alike: a cgroup with the spec's memory and pids limits, and a
 * named netns reached over a veth pair on its own /30. Opening is all-or-nothing.
 */
export class InstanceSlot {
  private constructor(
    readonly name: string,
    readonly block: AddressBlock,
    readonly veth: string,
    readonly cgroup: InstanceCgroup,
    private readonly ip: string,
    private readonly subnets: SubnetAllocator,
  ) {}

  static async open(
    tools: { ip: string; layout: CgroupLayout },
    parent: string,
    name: string,
    subnets: SubnetAllocator,
    spec: SandboxSpec,
  ): Promise<InstanceSlot> {
    const block = subnets.allocate(await takenBlocks(tools.ip, subnets));
    const veth = vethName();
    let cgroup: InstanceCgroup | undefined;
    try {
      cgroup = InstanceCgroup.create(tools.layout, parent, name, {
        memoryBytes: spec.memoryMb * 1024 * 1024,
        pidsMax: spec.pidsLimit,
      });
      await createNetwork(tools.ip, name, veth, block);
      return new InstanceSlot(name, block, veth, cgroup, tools.ip, subnets);
    } catch (error) {
      await cgroup?.destroy().catch(() => {});
      await destroyNetwork(tools.ip, name, veth).catch(() => {});
      subnets.free(block.index);
      throw error;
    }
  }

  /** Removes the netns and veth and gives the /30 back; failures go to `errors`. */
  async closeNetwork(errors: unknown[]): Promise<void> {
    await destroyNetwork(this.ip, this.name, this.veth).catch((error: unknown) => errors.push(error));
    this.subnets.free(this.block.index);
  }
}

/** Throws one error naming everything a stop could not clean up. */
export function throwIfLeftBehind(what: string, errors: unknown[]): void {
  if (errors.length === 0) return;
  const detail = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  throw new SandboxError(`stopping ${what} left resources behind: ${detail}`);
}
