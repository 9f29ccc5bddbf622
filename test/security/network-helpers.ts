import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TestContext } from 'node:test';
import type FC from '@alicloud/fc2';
import { deployCustom, invoke } from '../helpers/functions.js';

/** The hostile function: connects where its event says and reports what opened (see the fixture). */
export const PROBE_SOURCE = readFileSync(
  new URL('../fixtures/security/net-probe.cjs', import.meta.url),
  'utf8',
);
export const PROBE_RUNTIME = { bootstrap: PROBE_SOURCE, 'package.json': '{"type":"commonjs"}' };

export interface Target {
  host: string;
  port: number;
}

export interface ProbeReport {
  /** The instance's own address (eth0). */
  ip: string;
  defaultRoute: boolean;
  /** `host:port` → `connected`, an errno code (EHOSTUNREACH, ENETUNREACH …) or `timeout`. */
  results: Record<string, string>;
}

/** Deploys the probe as a custom-runtime function (creating its service with `serviceOptions`). */
export async function deployProbe(
  fc: FC,
  service: string,
  serviceOptions: Record<string, unknown> = {},
): Promise<void> {
  await fc.createService(service, serviceOptions);
  await deployCustom(fc, service, 'probe', PROBE_RUNTIME);
}

/** Invokes a probe function: it tries each target and says what happened. */
export async function probe(fc: FC, service: string, targets: Target[], fn = 'probe'): Promise<ProbeReport> {
  const result = await invoke(fc, service, fn, JSON.stringify({ connect: targets, timeoutMs: 3000 }));
  if (result.errorType) throw new Error(`probe ${service}/${fn} failed: ${result.body}\n${result.logs}`);
  return JSON.parse(result.body) as ProbeReport;
}

/** The address `delta` away from `ip` (e.g. -1: the host side of an instance's /30). */
export function offset(ip: string, delta: number): string {
  const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + delta;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The host's IPv4 addresses other than loopback and instance veths (`kv…`). */
export function hostAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !name.startsWith('kv') && name !== 'lo')
    .flatMap(([, entries]) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

/** A TCP listener the test owns (on 0.0.0.0 or `::`), counting the connections it accepted; closed after the test. */
export async function openListener(
  t: TestContext,
  host = '0.0.0.0',
): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, accepted: () => accepted };
}

/**
 * The IPv6 link-local address of the host side of the veth of the instance at `instanceIp` (every veth gets one),
 * once both ends' link-local addresses are usable (no longer tentative); undefined where IPv6 is off.
 */
export async function linkLocalOf(instanceIp: string): Promise<string | undefined> {
  const ip = (args: string[]) => spawnSync('ip', args, { encoding: 'utf8' }).stdout;
  const hostIp = offset(instanceIp, -1);
  const dev = new RegExp(`^\\d+:\\s+(\\S+)\\s+inet ${hostIp.replace(/\./g, '\\.')}/`, 'm').exec(
    ip(['-o', 'addr', 'show']),
  )?.[1];
  const netns = readdirSync('/run/netns').find((name) =>
    ip(['-n', name, '-o', '-4', 'addr', 'show', 'dev', 'eth0']).includes(`inet ${instanceIp}/`),
  );
  if (!dev || !netns) return undefined;
  for (let i = 0; i < 200; i++) {
    const host = ip(['-o', '-6', 'addr', 'show', 'dev', dev, 'scope', 'link']);
    const inside = ip(['-n', netns, '-o', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    if (!host.includes('fe80:') || !inside.includes('fe80:')) return undefined;
    if (!`${host}${inside}`.includes('tentative')) return /inet6 (fe80:[0-9a-f:]+)\//.exec(host)?.[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
