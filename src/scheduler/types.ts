import type { Instance, InstanceRecipe } from './instance.js';

export interface SchedulerLimits {
  maxInstancesPerFunction: number;
  maxInstances: number;
  maxQueuedCalls: number;
  instanceIdleMs: number;
  instanceStartTimeoutMs: number;
  /** Longest wait for a busy instance's slot before a start when the cores are taken; 0 or unset: off. */
  scaleOutHoldMs?: number;
}

/** What a call needs: a slot on an instance of one function revision. */
export interface SlotRequest {
  /** `service/function`: one pool per function. */
  poolKey: string;
  /** Changes whenever the function's code or config changes; older instances are not reused. */
  revision: string;
  /** Calls one instance of this revision takes at once. */
  concurrency: number;
  /** How long a call may wait in the queue for a slot. */
  maxWaitMs: number;
  /** The qualifier's on-demand cap (FC's `maximumInstanceCount`): provisioned instances do not count. */
  maxOnDemand?: number;
}

/** A slot on a running instance. */
export interface Lease {
  readonly kind: 'lease';
  instance: Instance;
  /** True when the call waited for the instance to start. */
  coldStart: boolean;
  /** Gives the slot back; `destroy` stops the instance (timeout, broken protocol), `reason` says why. */
  release(options?: { destroy?: boolean; reason?: string }): void;
}

/**
 * No instance had a free slot and a new one may start: the start is counted against the limits and the
 * instance id assigned. Its holder must call `start` once, with the recipe or the reason it has none (a
 * rejected promise); calls that claimed a slot of this instance meanwhile wait on it.
 */
export interface StartPermit {
  readonly kind: 'start';
  readonly instanceId: string;
  start(recipe: InstanceRecipe | Promise<InstanceRecipe>): Promise<Lease>;
}

/** Told of instance starts and stops (metrics); called synchronously, so it must be cheap and never throw. */
export interface SchedulerObserver {
  instanceStarted(durationMs: number, ok: boolean): void;
  /** `reason`: idle, retired, timeout, crashed, oom, shutdown, provisioning released … */
  instanceStopped(reason: string): void;
}
