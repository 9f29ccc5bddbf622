import type { Logger } from 'pino';
import type { CodeStore } from '../code/index.js';
import type { KumoConfig } from '../config.js';
import type { Invoker } from '../invoke/index.js';
import type { LogStore } from '../logs/index.js';
import type { Trigger } from '../model/index.js';
import type { MetaStore } from '../store/index.js';
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
  logs: LogStore;
  /** Refuses (FcError) a runtime this server cannot serve; called at create/update time. */
  checkRuntime(runtime: string): void;
  /** Called after a function's code or config changed or it was deleted, so old instances retire. */
  onFunctionChanged(serviceName: string, functionName: string): void;
  /** Called after a trigger was created, updated or deleted (timer triggers reschedule). */
  onTriggerChanged(trigger: Trigger, deleted?: boolean): void;
}

export const API_PREFIX = '/2016-08-15';
