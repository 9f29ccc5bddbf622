import { randomBytes } from 'node:crypto';
import {
  type AddressBlock,
  createNetwork,
  destroyNetwork,
  type SubnetAllocator,
  takenBlocks,
  vethName,
} from './network.js';

/** A named netns with `eth0` up on its /30, reached from the host over `veth`. */
export interface InstanceNetwork {
  netns: string;
  veth: string;
  block: AddressBlock;
}

/**
 * Instance networks made ahead of time. Creating one takes four `ip` runs (about 20 ms here), the largest part of
 * a cold start outside the runtime itself, so a few are kept ready and the pool refills in the background after
 * each `take()`. A network is used by one instance and destroyed with it, never handed out twice.
 */
export class NetworkPool {
  readonly #ready: InstanceNetwork[] = [];
  #filling: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly ip: string,
    private readonly subnets: SubnetAllocator,
    /** Networks kept ready; 0 creates each on demand. */
    private readonly size: number,
    /** Netns name prefix (`kumo-<pid>`), so leftovers of a dead Kumo are recognisable. */
    private readonly prefix: string,
  ) {}

  /** Starts filling the pool (at sandbox start-up). */
  warm(): void {
    this.#refill();
  }

  /** A ready network if there is one, else a new one; the pool refills behind it. */
  async take(): Promise<InstanceNetwork> {
    const ready = this.#ready.shift();
    this.#refill();
    return ready ?? this.#create();
  }

  /** Deletes the network's netns and veth and gives its /30 back. */
  async destroy(network: InstanceNetwork): Promise<void> {
    try {
      await destroyNetwork(this.ip, network.netns, network.veth);
    } finally {
      this.subnets.free(network.block.index);
    }
  }

  /** Stops refilling and destroys the networks no instance took. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#filling;
    const left = this.#ready.splice(0);
    await Promise.all(left.map((network) => this.destroy(network).catch(() => {})));
  }

  #refill(): void {
    if (this.#filling || this.#closed || this.#ready.length >= this.size) return;
    this.#filling = (async () => {
      while (!this.#closed && this.#ready.length < this.size) {
        // A failure here shows up again, with its cause, in the `take()` that has to create on demand.
        const network = await this.#create().catch(() => undefined);
        if (!network) break;
        if (this.#closed) await this.destroy(network).catch(() => {});
        else this.#ready.push(network);
      }
    })().finally(() => {
      this.#filling = undefined;
    });
  }

  async #create(): Promise<InstanceNetwork> {
    const block = this.subnets.allocate(await takenBlocks(this.ip, this.subnets));
    // Random, not counted: several sandboxes (bwrap, runc, other servers in this process) share the prefix.
    const network = {
      netns: `${this.prefix}-net-${randomBytes(5).toString('hex')}`,
      veth: vethName(),
      block,
    };
    try {
      await createNetwork(this.ip, network.netns, network.veth, block);
    } catch (error) {
      this.subnets.free(block.index);
      throw error;
    }
    return network;
  }
}
