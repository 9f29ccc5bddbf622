import { randomBytes } from 'node:crypto';
import { InstanceFirewall } from './firewall.js';
import {
  type AddressBlock,
  createNetwork,
  destroyNetwork,
  type SubnetAllocator,
  takenBlocks,
  vethName,
} from './network.js';

/** A named netns with `eth0` up on its /30, reached from the host over `veth`, under one network policy. */
export interface InstanceNetwork {
  netns: string;
  veth: string;
  block: AddressBlock;
  /** True when it has a default route and the firewall forwards it to the internet. */
  internet: boolean;
}

/** How instances of one sandbox are networked (part of the bwrap and runc sandbox options). */
export interface NetworkOptions {
  /** Instance networks kept ready ahead of cold starts, per policy; default 4. */
  networkPool?: number;
  /** Let instances whose service has internetAccess reach the internet (NAT); default true. */
  outbound?: boolean;
  /** Private CIDRs instances may reach (`KUMO_INSTANCE_ALLOWED_CIDRS`); default none. */
  allowedCidrs?: readonly string[];
  /** Subnets of the other sandboxes in this process (bwrap's, runc's), which instances must not reach either. */
  otherSubnets?: readonly string[];
}

/**
 * Instance networks made ahead of time, each already under its firewall policy. Creating one takes four `ip`
 * runs and an `nft` run (about 25 ms here), the largest part of a cold start outside the runtime itself, so a few
 * are kept ready per policy (with and without internet access) and refilled in the background after each
 * `take()`. A network is used by one instance and destroyed with it, never handed out twice.
 */
export class NetworkPool {
  readonly #ready = new Map<boolean, InstanceNetwork[]>([
    [true, []],
    [false, []],
  ]);
  readonly #filling = new Map<boolean, Promise<void>>();
  #closed = false;
  readonly #ip: string;
  readonly #subnets: SubnetAllocator;
  readonly #options: NetworkOptions;
  readonly #firewall: InstanceFirewall | undefined;

  private constructor(
    ip: string,
    subnets: SubnetAllocator,
    options: NetworkOptions,
    firewall: InstanceFirewall | undefined,
    /** One sentence on the network policy, for the sandbox's `reason`. */
    readonly policy: string,
  ) {
    this.#ip = ip;
    this.#subnets = subnets;
    this.#options = options;
    this.#firewall = firewall;
  }

  /** Networks kept ready per policy; 0 creates each on demand. */
  get #size(): number {
    return this.#options.networkPool ?? 4;
  }

  get #outbound(): boolean {
    return this.#options.outbound !== false;
  }

  /** Loads the firewall policy (nftables) and returns a pool whose networks are all under it. */
  static async open(ip: string, subnets: SubnetAllocator, options: NetworkOptions): Promise<NetworkPool> {
    const allowedCidrs = options.allowedCidrs ?? [];
    const firewall = await InstanceFirewall.open({
      subnets: [...new Set([subnets.cidr, ...(options.otherSubnets ?? [])])],
      allowedCidrs,
    });
    const allowed = allowedCidrs.length ? allowedCidrs.join(', ') : 'none';
    const outbound = options.outbound !== false ? 'internet only with internetAccess' : 'no internet';
    if (typeof firewall === 'string') {
      const policy = `WARNING: no network policy (${firewall}): instances can reach the host and each other`;
      return new NetworkPool(ip, subnets, options, undefined, policy);
    }
    const policy =
      `network policy nftables ${firewall.table}: no host, no other instance, ${outbound}, ` +
      `private ranges allowed: ${allowed}`;
    return new NetworkPool(ip, subnets, options, firewall, policy);
  }

  /** Starts filling the pool (at sandbox start-up) with networks for the default policy, internet access. */
  warm(): void {
    this.#refill(this.#outbound);
  }

  /** A ready network with this policy if there is one, else a new one; the pool refills behind it. */
  async take(internetAccess = true): Promise<InstanceNetwork> {
    const internet = internetAccess && this.#outbound;
    const ready = this.#ready.get(internet)?.shift();
    this.#refill(internet);
    return ready ?? this.#create(internet);
  }

  /** Deletes the network's netns and veth, takes the veth out of the firewall, gives its /30 back. */
  async destroy(network: InstanceNetwork): Promise<void> {
    try {
      await destroyNetwork(this.#ip, network.netns, network.veth);
      await this.#firewall?.forget(network.veth, network.internet);
    } finally {
      this.#subnets.free(network.block.index);
    }
  }

  /** Stops refilling, destroys the networks no instance took, removes the firewall table. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#filling.values());
    const left = [...this.#ready.values()].flatMap((list) => list.splice(0));
    await Promise.all(left.map((network) => this.destroy(network).catch(() => {})));
    await this.#firewall?.close();
  }

  #refill(internet: boolean): void {
    const ready = this.#ready.get(internet) ?? [];
    if (this.#filling.has(internet) || this.#closed || ready.length >= this.#size) return;
    const filling = (async () => {
      while (!this.#closed && ready.length < this.#size) {
        // A failure here shows up again, with its cause, in the `take()` that has to create on demand.
        const network = await this.#create(internet).catch(() => undefined);
        if (!network) break;
        if (this.#closed) await this.destroy(network).catch(() => {});
        else ready.push(network);
      }
    })().finally(() => this.#filling.delete(internet));
    this.#filling.set(internet, filling);
  }

  async #create(internet: boolean): Promise<InstanceNetwork> {
    const block = this.#subnets.allocate(await takenBlocks(this.#ip, this.#subnets));
    // Random, not counted: several sandboxes (bwrap, runc, other servers in this process) share the prefix.
    const network = {
      netns: `kumo-${process.pid}-net-${randomBytes(5).toString('hex')}`,
      veth: vethName(),
      block,
      internet,
    };
    const routes = internet ? ['default'] : (this.#options.allowedCidrs ?? []);
    try {
      // The policy first: the veth is under it from the moment it exists.
      await this.#firewall?.admit(network.veth, internet);
      await createNetwork(this.#ip, network.netns, network.veth, block, routes);
    } catch (error) {
      await this.#firewall?.forget(network.veth);
      this.#subnets.free(block.index);
      throw error;
    }
    return network;
  }
}
