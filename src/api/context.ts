import type { Logger } from 'pino';
import type { CodeStore } from '../code/index.js';
import type { KumoConfig } from '../config.js';
import type { Control } from '../control/index.js';
import type { Invoker } from '../invoke/index.js';
import type { LogStore } from '../logs/index.js';
import type { Metrics } from '../metrics/index.js';
import type { FunctionRecord } from '../model/index.js';
import type { Instance } from '../scheduler/index.js';
import type { AsyncQueueStore, MetaStore } from '../store/index.js';
import type { KeyRing } from './auth.js';
import type { Credentials } from './credentials.js';

/** Everything the API routes need, passed in once by the server wiring. */
export interface ApiDeps {
  config: KumoConfig;
  credentials: Credentials;
  keys: KeyRing;
  /** Create/update/delete rules for every resource: the routes only translate FC 2016-08-15 to and from it. */
  control: Control;
  /** Read by the target resolver (which function a call or a read names). */
  store: MetaStore;
  code: CodeStore;
  logger: Logger;
  /** Runs synchronous invocations; the API needs nothing else from the invoker. */
  invoker: Pick<Invoker, 'invoke'>;
  asyncQueue: AsyncQueueStore;
  /** Called after an async invocation was persisted, so the worker picks it up at once. */
  onAsyncEnqueued(): void;
  /** Called after a stop of a running async invocation was recorded, so its worker cuts the call short. */
  onAsyncStop?(requestId: string): void;
  logs: LogStore;
  /** A custom-container function's image status, shown as `customContainerConfig.accelerationInfo`. */
  imageStatus?(fn: FunctionRecord): { status: string; message?: string } | undefined;
  /** Why a runtime runs on another version than its name says (`RuntimeRegistry.substitution`), or undefined. */
  runtimeNote?(runtime: string): string | undefined;
  /** The instances of a pool (scheduler), for `listInstances`. */
  instances?(poolKey: string): readonly Instance[];
  /** Several nodes: this node's name (on each listed instance), and the same listing asked of the other live nodes. */
  cluster?: { nodeName: string; otherNodes(path: string): Promise<Record<string, unknown>[]> };
  /** The zones `getAccountSettings` reports (default: one zone named after the region). */
  availableAZs?: string[];
  /** Prometheus metrics (`/metrics`) and the last hour per function (`metrics.history`, the console's charts). */
  metrics?: Metrics;
  /** Why the server is not ready (`/readyz`): store closed, sandbox unusable, draining; empty when ready. */
  notReady?(): Promise<string[]>;
  /** Maps a request to another URL before routing (the gateway sends custom-domain requests to itself). */
  rewriteUrl?(url: string, host: string | undefined): string | undefined;
}

export const API_PREFIX = '/2016-08-15';
