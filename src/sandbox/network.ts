import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { SandboxError } from './errors.js';
import { findBinary, run, tryRun } from './exec.js';

/** One /30: the host end of the veth pair and the instance end (inside its netns). */
export interface AddressBlock {
  index: number;
  hostIp: string;
  sandboxIp: string;
}

const toInt = (ip: string): number => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Hands out /30 blocks of a private subnet, one per running instance (in-process bookkeeping). */
export class SubnetAllocator {
  private readonly base: number;
  private readonly blocks: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly cidr: string) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const prefix = Number(match?.[5]);
    if (!match || match.slice(1, 5).some((p) => Number(p) > 255) || prefix < 8 || prefix > 30) {
      throw new SandboxError(`invalid instance subnet '${cidr}': expected an IPv4 CIDR from /8 to /30`);
    }
    const size = 2 ** (32 - prefix);
    this.base = toInt(match.slice(1, 5).join('.'));
    this.base -= this.base % size;
    this.blocks = size / 4;
    this.next = randomInt(this.blocks); // a random start makes collisions between two Kumo processes unlikely
  }

  /** Index of the /30 holding `ip`, or undefined when `ip` is outside the subnet. */
  blockOf(ip: string): number | undefined {
    const offset = toInt(ip) - this.base;
    return offset >= 0 && offset < this.blocks * 4 ? Math.floor(offset / 4) : undefined;
  }

  /** Reserves a free block that is neither ours already nor in `taken` (addresses seen on the host). */
  allocate(taken: ReadonlySet<number>): AddressBlock {
    for (let i = 0; i < this.blocks; i++) {
      const index = (this.next + i) % this.blocks;
      if (this.used.has(index) || taken.has(index)) continue;
      this.used.add(index);
      this.next = (index + 1) % this.blocks;
      const first = this.base + index * 4;
      return { index, hostIp: toIp(first + 1), sandboxIp: toIp(first + 2) };
    }
    throw new SandboxError(`instance subnet ${this.cidr} is exhausted (${this.blocks} blocks in use)`);
  }

  free(index: number): void {
    this.used.delete(index);
  }
}

/** Blocks of `allocator`'s subnet already holding an address on this host (e.g. another Kumo's instances). */
export async function takenBlocks(ip: string, allocator: SubnetAllocator): Promise<Set<number>> {
  const out = await run(ip, ['-o', '-4', 'addr', 'show']);
  const taken = new Set<number>();
  for (const match of out.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)) {
    const block = allocator.blockOf(match[1] ?? '');
    if (block !== undefined) taken.add(block);
  }
  return taken;
}

/** A random host-side veth name, `kv` + 12 hex digits (interface names are at most 15 chars). */
export const vethName = (): string => `kv${randomBytes(6).toString('hex')}`;

/**
 * Creates netns `netns` with `lo` up and `eth0` (the peer of host-side `veth`) addressed from `block`,
 * default route via the host side. Undoes what it did when a step fails.
 */
export async function createNetwork(
  ip: string,
  netns: string,
  veth: string,
  block: AddressBlock,
): Promise<void> {
  await run(ip, ['netns', 'add', netns]);
  try {
    await run(ip, ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await run(ip, ['-batch', '-'], {
      input: `addr add ${block.hostIp}/30 dev ${veth}\nlink set ${veth} up\n`,
    });
    await run(ip, ['-n', netns, '-batch', '-'], {
      input:
        `addr add ${block.sandboxIp}/30 dev eth0\nlink set lo up\nlink set eth0 up\n` +
        `route add default via ${block.hostIp}\n`,
    });
  } catch (error) {
    await destroyNetwork(ip, netns, veth).catch(() => {});
    throw error;
  }
}

/** Deletes the veth pair and the netns; missing pieces are fine. */
export async function destroyNetwork(ip: string, netns: string, veth?: string): Promise<void> {
  if (veth) await tryRun(ip, ['link', 'del', veth]);
  if (existsSync(`/run/netns/${netns}`)) await run(ip, ['netns', 'del', netns]);
}

/** Names of the named network namespaces (`/run/netns`). */
export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/**
 * Best effort: lets instances reach the outside through NAT when `iptables` or `nft` is installed (enables
 * ip_forward and a MASQUERADE rule for `cidr`). Returns a sentence for the sandbox's `reason`; never throws.
 */
export async function enableOutbound(cidr: string): Promise<string> {
  try {
    const iptables = await findBinary('iptables');
    const nft = iptables ? undefined : await findBinary('nft');
    if (!iptables && !nft) return 'no outbound network (neither iptables nor nft is installed)';
    writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
    if (iptables) {
      const rules: Array<[table: string, chain: string, rule: string[]]> = [
        ['nat', 'POSTROUTING', ['-s', cidr, '!', '-d', cidr, '-j', 'MASQUERADE']],
        ['filter', 'FORWARD', ['-s', cidr, '-j', 'ACCEPT']],
        [
          'filter',
          'FORWARD',
          ['-d', cidr, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ],
      ];
      for (const [table, chain, rule] of rules) {
        if (!(await tryRun(iptables, ['-t', table, '-C', chain, ...rule]))) {
          await run(iptables, ['-t', table, '-I', chain, ...rule]);
        }
      }
      return `outbound network through iptables MASQUERADE for ${cidr}`;
    }
    const script =
      'table ip kumo {}\ndelete table ip kumo\ntable ip kumo {\n' +
      `  chain postrouting { type nat hook postrouting priority 100; ip saddr ${cidr} ip daddr != ${cidr} masquerade; }\n` +
      `  chain forward { type filter hook forward priority 0; ip saddr ${cidr} accept; ip daddr ${cidr} ct state established,related accept; }\n}\n`;
    await run(nft ?? 'nft', ['-f', '-'], { input: script });
    return `outbound network through nft masquerade for ${cidr}`;
  } catch (error) {
    return `no outbound network (NAT setup failed: ${(error as Error).message})`;
  }
}
