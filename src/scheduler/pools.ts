import { FcError } from '../model/index.js';
import type { Instance } from './instance.js';
import type { Lease, SchedulerLimits, SlotRequest } from './types.js';

/** A call that claimed a slot of an instance still starting. */
export interface Claim {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
}

/** An instance being started, and the calls that will take its other slots. */
export interface PendingStart {
  revision: string;
  concurrency: number;
  claims: Claim[];
  /** The function changed during the start: the instance serves the calls waiting for it, then stops. */
  retired: boolean;
  /** The provision config the instance is started for; undefined for an on-demand start. */
  provisionedFor: string | undefined;
}

/** Adds a start under way to the pool's list of them, and answers that list. */
export function addPending<T>(pending: Map<string, T[]>, poolKey: string, start: T): T[] {
  const list = pending.get(poolKey) ?? [];
  pending.set(poolKey, list);
  list.push(start);
  return list;
}

/** A free slot of the revision, on a provisioned instance first: on-demand instances take the overflow. */
export function freeInstance(pool: Iterable<Instance> | undefined, revision: string): Instance | undefined {
  let onDemand: Instance | undefined;
  for (const instance of pool ?? []) {
    if (instance.revision !== revision || !instance.hasFreeSlot) continue;
    if (instance.provisionedFor !== undefined) return instance;
    onDemand ??= instance;
  }
  return onDemand;
}

/** Instances of a pool that are not stopped, plus its starts, split into provisioned and on-demand ones. */
export function liveCounts(
  pool: Iterable<Instance> | undefined,
  pending: readonly PendingStart[] | undefined,
): { all: number; onDemand: number } {
  let all = 0;
  let onDemand = 0;
  for (const instance of pool ?? []) {
    if (instance.state === 'stopped') continue;
    all++;
    if (instance.provisionedFor === undefined) onDemand++;
  }
  for (const start of pending ?? []) {
    all++;
    if (start.provisionedFor === undefined) onDemand++;
  }
  return { all, onDemand };
}

/** What a provision config has right now: its ready instances and the starts under way for it. */
export interface ProvisionedState {
  ready: Instance[];
  starting: number;
}

/** The ready instances kept for a provision config (in any pool) and its starts under way. */
export function provisionedState(
  pools: Iterable<Set<Instance>>,
  pending: Iterable<readonly PendingStart[]>,
  resource: string,
): ProvisionedState {
  const ready: Instance[] = [];
  for (const pool of pools)
    for (const instance of pool)
      if (instance.provisionedFor === resource && instance.state === 'ready') ready.push(instance);
  let starting = 0;
  for (const list of pending)
    for (const start of list) if (start.provisionedFor === resource && !start.retired) starting++;
  return { ready, starting };
}

/** Instances by state, plus `starting` (starts under way). */
export function countByState(pools: Iterable<Set<Instance>>, starting: number): Record<string, number> {
  const counts: Record<string, number> = { starting };
  for (const pool of pools)
    for (const instance of pool) counts[instance.state] = (counts[instance.state] ?? 0) + 1;
  return counts;
}

/** The pool has an instance of the revision that takes calls, or one starting. */
export function hasInstanceOf(
  pool: Iterable<Instance> | undefined,
  pending: readonly PendingStart[] | undefined,
  revision: string,
): boolean {
  for (const instance of pool ?? [])
    if (instance.revision === revision && instance.state === 'ready') return true;
  return pending?.some((start) => start.revision === revision && !start.retired) ?? false;
}

/** Why no instance may start for the request now (undefined: one may); `live`: the pool's, starts included. */
export function startRefusal(
  request: SlotRequest,
  provisioned: boolean,
  live: { all: number; onDemand: number },
  instanceCount: number,
  limits: SchedulerLimits,
): FcError | undefined {
  const { poolKey, maxOnDemand } = request;
  if (live.all >= limits.maxInstancesPerFunction || instanceCount >= limits.maxInstances) {
    return new FcError(
      'ResourceExhausted',
      `no instance of '${poolKey}' could take the call: ${instanceCount} instances running (limits: ${limits.maxInstancesPerFunction} per function, ${limits.maxInstances} in all)`,
    );
  }
  if (!provisioned && maxOnDemand !== undefined && live.onDemand >= maxOnDemand) {
    return new FcError(
      'ResourceThrottled',
      `'${poolKey}' reached its maximumInstanceCount of ${maxOnDemand} on-demand instances`,
    );
  }
  return undefined;
}
