import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { SandboxError } from './errors.js';
import { run, tryRun } from './exec.js';

/** One /30: the host end of the veth pair and the instance end (inside its netns). */
export interface AddressBlock {
  index: number;
  hostIp: string;
  sandboxIp: string;
}

const toInt = (ip: string): number => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** `a.b.c.d/n` (or a bare address, as /32) in its canonical form (host bits cleared); throws when invalid. */
export function normalizeCidr(text: string): string {
  const match = CIDR.exec(text.trim());
  const prefix = match?.[5] === undefined ? 32 : Number(match[5]);
  if (!match || match.slice(1, 5).some((p) => Number(p) > 255) || prefix > 32) {
    throw new Error(`'${text.trim()}' is not an IPv4 address or CIDR (a.b.c.d/n)`);
  }
  const size = 2 ** (32 - prefix);
  const start = toInt(match.slice(1, 5).join('.'));
  return `${toIp(start - (start % size))}/${prefix}`;
}

/** A comma-separated list of IPv4 CIDRs (e.g. `KUMO_INSTANCE_ALLOWED_CIDRS`), normalized; '' is none. */
export function parseCidrList(text: string): string[] {
  return text
    .split(',')
    .filter((part) => part.trim() !== '')
    .map(normalizeCidr);
}

/** Hands out /30 blocks of a private subnet, one per running instance (in-process bookkeeping). */
export class SubnetAllocator {
  readonly #base: number;
  readonly #blocks: number;
  readonly #used = new Set<number>();
  #next: number;

  constructor(readonly cidr: string) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const prefix = Number(match?.[5]);
    if (!match || match.slice(1, 5).some((p) => Number(p) > 255) || prefix < 8 || prefix > 30) {
      throw new SandboxError(`invalid instance subnet '${cidr}': expected an IPv4 CIDR from /8 to /30`);
    }
    const size = 2 ** (32 - prefix);
    this.#base = toInt(match.slice(1, 5).join('.'));
    this.#base -= this.#base % size;
    this.#blocks = size / 4;
    this.#next = randomInt(this.#blocks); // a random start makes collisions between two Kumo processes unlikely
  }

  /** Index of the /30 holding `ip`, or undefined when `ip` is outside the subnet. */
  blockOf(ip: string): number | undefined {
    const offset = toInt(ip) - this.#base;
    return offset >= 0 && offset < this.#blocks * 4 ? Math.floor(offset / 4) : undefined;
  }

  /** Reserves a free block that is neither ours already nor in `taken` (addresses seen on the host). */
  allocate(taken: ReadonlySet<number>): AddressBlock {
    for (let i = 0; i < this.#blocks; i++) {
      const index = (this.#next + i) % this.#blocks;
      if (this.#used.has(index) || taken.has(index)) continue;
      this.#used.add(index);
      this.#next = (index + 1) % this.#blocks;
      const first = this.#base + index * 4;
      return { index, hostIp: toIp(first + 1), sandboxIp: toIp(first + 2) };
    }
    throw new SandboxError(`instance subnet ${this.cidr} is exhausted (${this.#blocks} blocks in use)`);
  }

  free(index: number): void {
    this.#used.delete(index);
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
 * Creates netns `netns` with `lo` up and `eth0` (the peer of host-side `veth`) addressed from `block`, and routes
 * via the host side to `routes` (`default` for the internet, or CIDRs; none leaves only the /30). The veth's
 * alias is the netns name, so a sweep can tell whose it is. Undoes what it did when a step fails.
 */
export async function createNetwork(
  ip: string,
  netns: string,
  veth: string,
  block: AddressBlock,
  routes: readonly string[],
): Promise<void> {
  await run(ip, ['netns', 'add', netns]);
  try {
    await run(ip, ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await run(ip, ['-batch', '-'], {
      input: `addr add ${block.hostIp}/30 dev ${veth}\nlink set ${veth} alias ${netns}\nlink set ${veth} up\n`,
    });
    await run(ip, ['-n', netns, '-batch', '-'], {
      input:
        `addr add ${block.sandboxIp}/30 dev eth0\nlink set lo up\nlink set eth0 up\n` +
        routes.map((route) => `route add ${route} via ${block.hostIp}\n`).join(''),
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

/** Host-side veths as `[name, alias]` (the alias is the netns name createNetwork gave it). */
export async function listVeths(ip: string): Promise<Array<[name: string, alias: string]>> {
  const out = await run(ip, ['-o', 'link', 'show', 'type', 'veth']);
  const veths: Array<[string, string]> = [];
  for (const line of out.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    const alias = /\balias\s+(\S+)/.exec(line)?.[1];
    if (name && alias) veths.push([name, alias]);
  }
  return veths;
}
