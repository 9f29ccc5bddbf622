import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/output.js';
import type { KumoConfig } from '../config.js';

/** `auto`: one worker per core, at most 8 (each worker is a whole Kumo node with its own instances). */
export function resolveWorkerCount(value: KumoConfig['workers'], cores = availableParallelism()): number {
  return value === 'auto' ? Math.max(1, Math.min(8, cores)) : value;
}

/** What `kumo serve` would run with this config (`kumo doctor`). */
export function describeWorkers(config: KumoConfig): { count: number; usable: boolean; summary: string } {
  const count = resolveWorkerCount(config.workers);
  const usable = count === 1 || config.storeUrl !== undefined;
  const names = count > 1 ? ` (${workerNodeName(config, 1)} … ${workerNodeName(config, count)})` : '';
  const summary = usable
    ? `${count} process${count === 1 ? '' : 'es'} serving${names}; ${availableParallelism()} cores here`
    : `${count} requested (KUMO_WORKERS) but the store is SQLite: kumo serve will refuse; set KUMO_STORE_URL=postgres://…`;
  return { count, usable, summary };
}

/** Several workers share state as cluster nodes do, which needs PostgreSQL (docs/workers.md says why). */
export function assertWorkersSupported(config: KumoConfig, count: number): void {
  if (count > 1 && !config.storeUrl) {
    throw new UsageError(
      `--workers ${count} needs --store postgres://…: workers share state as cluster nodes`,
      'start PostgreSQL and pass --store (or KUMO_STORE_URL), or run one worker: --workers 1',
      'WorkersNeedPostgres',
    );
  }
}

/** The name of worker `index` (1-based): the node name, or else the host name, with `-w<index>`. */
export function workerNodeName(config: KumoConfig, index: number): string {
  return `${config.nodeName ?? hostname()}-w${index}`;
}

/**
 * Worker `index` of `count` as a cluster node of its own: its name, data dir, a slice of each instance subnet
 * (no two workers can hand out the same /30), and its part of the host-wide limits (so they hold in total).
 */
export function workerConfig(config: KumoConfig, index: number, count: number): KumoConfig {
  const part = (total: number, min: number) => Math.max(min, Math.floor(total / count));
  return Object.freeze({
    ...config,
    nodeName: workerNodeName(config, index),
    // One KUMO_NODE_URL cannot name N workers: each registers its own loopback address instead.
    nodeUrl: undefined,
    dataDir: workerDataDir(config, index),
    sandboxSubnet: subnetSlice(config.sandboxSubnet, index, count),
    containerSubnet: subnetSlice(config.containerSubnet, index, count),
    maxInstances: part(config.maxInstances, 1),
    maxQueuedCalls: part(config.maxQueuedCalls, 0),
    asyncConcurrency: part(config.asyncConcurrency, 1),
  });
}

/** Each worker's own data dir (unpacked code, logs.db, container bundles) below the configured one. */
export function workerDataDir(config: KumoConfig, index: number): string {
  return join(resolve(config.dataDir), 'workers', `w${index}`);
}

/** Part `index` (1-based) of `count` equal parts of an IPv4 CIDR, each a power-of-two block. */
export function subnetSlice(cidr: string, index: number, count: number): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match)
    throw new UsageError(`invalid instance subnet '${cidr}'`, 'use an IPv4 CIDR such as 10.213.0.0/16');
  const bits = Math.ceil(Math.log2(count));
  const prefix = Number(match[5]) + bits;
  if (prefix > 28) {
    throw new UsageError(
      `instance subnet ${cidr} is too small for ${count} workers`,
      'give a larger KUMO_SANDBOX_SUBNET / KUMO_CONTAINER_SUBNET, or fewer workers',
    );
  }
  const base = match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const start = base - (base % (size * 2 ** bits)) + (index - 1) * size;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}
