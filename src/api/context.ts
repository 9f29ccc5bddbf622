import type { Logger } from 'pino';
import type { CodeStore } from '../code/index.js';
import type { KumoConfig } from '../config.js';
import type { Invoker } from '../invoke/index.js';
import type { LogStore } from '../logs/index.js';
import type { CustomDomain, FunctionRecord, Trigger } from '../model/index.js';
import type { AsyncQueueStore, MetaStore } from '../store/index.js';
import type { KeyRing } from './auth.js';
import type { Credentials } from './credentials.js';

/** Everything the API routes need, passed in once by the server wiring. */
export interface ApiDeps {
  config: KumoConfig;
  credentials: Credentials;
  keys: KeyRing;
  store: MetaStore;
  code: CodeStore;
  logger: Logger;
  invoker: Invoker;
  asyncQueue: AsyncQueueStore;
  /** Called after an async invocation was persisted, so the worker picks it up at once. */
  onAsyncEnqueued(): void;
  logs: LogStore;
  /** Refuses (FcError) a runtime this server cannot serve; called at create/update time. */
  checkRuntime(runtime: string): void;
  /** Checks needing I/O after the fields are consistent (a container image must exist and fit); create/update. */
  checkFunction?(fn: FunctionRecord): Promise<void>;
  /** A custom-container function's image status, shown as `customContainerConfig.accelerationInfo`. */
  imageStatus?(fn: FunctionRecord): { status: string; message?: string } | undefined;
  /** Called after a function's code or config changed or it was deleted, so old instances retire. */
  onFunctionChanged(serviceName: string, functionName: string): void;
  /** Called after a trigger was created, updated or deleted (timer triggers reschedule). */
  onTriggerChanged(trigger: Trigger, deleted?: boolean): void;
  /** Called after a custom domain was created, updated or deleted (the gateway routes by Host). */
  onCustomDomainChanged(domain: CustomDomain, deleted?: boolean): void;
  /** Maps a request to another URL before routing (the gateway sends custom-domain requests to itself). */
  rewriteUrl?(url: string, host: string | undefined): string | undefined;
}

export const API_PREFIX = '/2016-08-15';
