import { readFileSync, writeFileSync } from 'node:fs';
import { findBinary, run, tryRun } from './exec.js';
import { normalizeCidr } from './network.js';

/**
 * Ranges an instance never reaches unless `KUMO_INSTANCE_ALLOWED_CIDRS` lists them: "this" network, RFC 1918,
 * CGNAT, loopback, link-local (cloud metadata at 169.254.169.254), IETF protocol assignments, benchmarking,
 * multicast and reserved. The host's own connected networks are added at start.
 */
const PRIVATE_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/3',
];

/** Host-side veth names all start with this (see `vethName`); the rules use it to spot any Kumo's instances. */
const VETH_PREFIX = 'kv';
/**
 * Refused at once rather than dropped, so a connection fails fast: TCP with a reset (the kernel rate-limits
 * ICMP errors, a burst of connections would otherwise hang), the rest with ICMP admin-prohibited.
 */
const reject = (match: string): string =>
  `    ${match} meta l4proto tcp reject with tcp reset\n    ${match} reject with icmpx type admin-prohibited\n`;

export interface FirewallOptions {
  /** The instance subnets (bwrap's and runc's): never reachable from an instance, masqueraded when outbound. */
  subnets: readonly string[];
  /** CIDRs instances may reach although private (`KUMO_INSTANCE_ALLOWED_CIDRS`); host addresses included. */
  allowedCidrs: readonly string[];
}

let tables = 0;

/**
 * The network policy of one sandbox's instances, as one nftables table `kumo-<pid>-fw<n>` (family inet, so IPv6
 * is covered too). Instances are named by their host-side veth in two sets: `instances` (all of them) and
 * `internet` (those whose service has internetAccess). From an instance veth, the host accepts only replies to
 * its own connections (Kumo calling the instance); forwarding never goes to another instance (any Kumo's veth or
 * subnet), to private ranges or to the host's networks, and to the rest of the world only for `internet`.
 *
 * nftables rather than iptables: the whole policy is one table loaded atomically, removed with one command, owned
 * by one Kumo process, and a drop in it is final whatever ACCEPT rules other tools (Docker, an older Kumo, the
 * distribution's iptables) put in their own chains.
 */
export class InstanceFirewall {
  readonly #nft: string;

  private constructor(
    nft: string,
    readonly table: string,
  ) {
    this.#nft = nft;
  }

  /** Loads the table, or returns why there is no firewall (nft missing or refused). */
  static async open(options: FirewallOptions): Promise<InstanceFirewall | string> {
    const nft = findBinary('nft');
    if (!nft) return 'nft is not installed (apt-get install nftables)';
    const firewall = new InstanceFirewall(nft, `kumo-${process.pid}-fw${++tables}`);
    try {
      writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
      await run(nft, ['-f', '-'], { input: firewall.#script(options, await hostNetworks()) });
      await passIptablesDropPolicy();
    } catch (error) {
      return `cannot load the nftables policy: ${(error as Error).message.trim()}`;
    }
    return firewall;
  }

  /** Puts a veth under the policy; done before the veth exists, so it is never without one. */
  admit(veth: string, internet: boolean): Promise<void> {
    const sets = internet ? ['instances', 'internet'] : ['instances'];
    const script = sets.map((set) => `add element inet ${this.table} ${set} { "${veth}" }\n`).join('');
    return run(this.#nft, ['-f', '-'], { input: script }).then(() => {});
  }

  /** Takes a (deleted) veth's name out of the sets it was admitted to (unknown: tries both). */
  async forget(veth: string, internet?: boolean): Promise<void> {
    if (internet === undefined) {
      for (const set of ['internet', 'instances']) {
        await tryRun(this.#nft, ['delete', 'element', 'inet', this.table, set, `{ "${veth}" }`]);
      }
      return;
    }
    const sets = internet ? ['instances', 'internet'] : ['instances'];
    const script = sets.map((set) => `delete element inet ${this.table} ${set} { "${veth}" }\n`).join('');
    await run(this.#nft, ['-f', '-'], { input: script });
  }

  async close(): Promise<void> {
    await tryRun(this.#nft, ['delete', 'table', 'inet', this.table]);
  }

  #script(options: FirewallOptions, host: string[]): string {
    const interval = (name: string, elements: readonly string[]) =>
      `  set ${name} { type ipv4_addr; flags interval; auto-merge;` +
      `${elements.length ? ` elements = { ${elements.join(', ')} }` : ''} }\n`;
    const resolvers = nameservers();
    return (
      `table inet ${this.table} {}\ndelete table inet ${this.table}\ntable inet ${this.table} {\n` +
      '  set instances { type ifname; }\n  set internet { type ifname; }\n' +
      interval('subnets', options.subnets.map(normalizeCidr)) +
      interval('allowed', options.allowedCidrs.map(normalizeCidr)) +
      interval('private', [...PRIVATE_RANGES, ...host]) +
      interval('resolvers', resolvers) +
      '  chain input {\n    type filter hook input priority filter - 10; policy accept;\n' +
      '    iifname @instances ct state established,related accept\n' +
      '    iifname @instances ip daddr @allowed ip daddr != @subnets accept\n' +
      reject('iifname @instances') +
      '  }\n' +
      // Only Kumo's own user opens connections into an instance (others could forge X-Fc-* headers).
      '  chain output {\n    type filter hook output priority filter - 10; policy accept;\n' +
      reject(`oifname @instances ct state new meta skuid != ${process.getuid?.() ?? 0}`) +
      '  }\n' +
      '  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n' +
      '    iifname @instances jump outbound\n' +
      '    oifname @instances ct state established,related accept\n' +
      '    oifname @instances drop\n  }\n' +
      '  chain outbound {\n' +
      reject(`oifname "${VETH_PREFIX}*"`) +
      '    meta nfproto != ipv4 drop\n' +
      reject('ip daddr @subnets') +
      '    ip daddr @allowed accept\n' +
      '    iifname @internet ip daddr @resolvers udp dport 53 accept\n' +
      '    iifname @internet ip daddr @resolvers tcp dport 53 accept\n' +
      reject('ip daddr @private') +
      '    iifname @internet accept\n' +
      reject('') +
      '  }\n' +
      '  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n' +
      `    ip saddr @subnets oifname != "${VETH_PREFIX}*" masquerade\n  }\n}\n`
    );
  }
}

/**
 * A drop in any table is final, an accept is not: where iptables' FORWARD policy is DROP (Docker sets it), the
 * traffic our table lets through would still die there, so instance veths get an ACCEPT in that chain. Only
 * what this table already accepted reaches it (ours runs first, at a lower priority).
 */
async function passIptablesDropPolicy(): Promise<void> {
  const iptables = findBinary('iptables');
  if (!iptables || !/^-P FORWARD DROP$/m.test(await run(iptables, ['-S', 'FORWARD']))) return;
  const rules = [
    ['-i', `${VETH_PREFIX}+`, '-j', 'ACCEPT'],
    ['-o', `${VETH_PREFIX}+`, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ];
  for (const rule of rules) {
    if (!(await tryRun(iptables, ['-C', 'FORWARD', ...rule])))
      await run(iptables, ['-I', 'FORWARD', ...rule]);
  }
}

/** The host's connected IPv4 networks (not the instances' veths), so instances cannot reach its LAN. */
async function hostNetworks(): Promise<string[]> {
  const ip = findBinary('ip');
  if (!ip) return [];
  const out = await run(ip, ['-o', '-4', 'addr', 'show']);
  const networks: string[] = [];
  for (const match of out.matchAll(/^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/gm)) {
    if (!match[1]?.startsWith(VETH_PREFIX) && match[2]) networks.push(normalizeCidr(match[2]));
  }
  return networks;
}

/**
 * The IPv4 resolvers of the host's /etc/resolv.conf, which instances use too: instances with internet access may
 * reach them on port 53 even when they are private (a VPC resolver such as 10.x.x.x). Loopback stubs are left
 * out: an instance has its own loopback.
 */
function nameservers(): string[] {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {}
  return [...text.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)]
    .map((match) => match[1] ?? '')
    .filter((address) => address && !address.startsWith('127.'));
}

/** Names of nftables tables (family inet) that look like Kumo's. */
export async function listFirewallTables(): Promise<string[]> {
  const nft = findBinary('nft');
  if (!nft) return [];
  const out = await run(nft, ['list', 'tables', 'inet']);
  return [...out.matchAll(/^table inet (kumo-\S+)$/gm)].map((match) => match[1] ?? '');
}

/** Deletes one such table (a sweep of a dead Kumo's leftovers). */
export async function deleteFirewallTable(table: string): Promise<void> {
  const nft = findBinary('nft');
  if (nft) await run(nft, ['delete', 'table', 'inet', table]);
}
