import type { CodeStore } from '../code/index.js';
import { type InvokeTarget, resolveTarget } from '../invoke/resolve.js';
import {
  type CustomDomain,
  FcError,
  type FunctionRecord,
  type ProvisionConfig,
  type Trigger,
} from '../model/index.js';
import type { AsyncConfigStore, MetaStore } from '../store/index.js';
import type { FunctionKey } from './functions.js';

/** What the control layer needs, passed in once by the server wiring. Nothing here knows about HTTP. */
export interface ControlDeps {
  store: MetaStore;
  /** Async invoke configs (kept next to the async queue, outside MetaStore). */
  asyncConfigs: AsyncConfigStore;
  code: CodeStore;
  /** The account every resource belongs to (names `auto` custom domains). */
  accountId: string;
  /** The region layer ARNs must name (any region when absent). */
  region?: string;
  /** Refuses (FcError) a runtime this server cannot serve; called at create/update time. */
  checkRuntime(runtime: string): void;
  /** Checks needing I/O after the fields are consistent (a container image must exist and fit); create/update. */
  checkFunction?(fn: FunctionRecord): Promise<void>;
  /**
   * Called after a function's code or config changed or it was deleted, so old instances retire: LATEST's
   * (no `versionId`), or a deleted version's. `revision`: the function's new one when only the function changed
   * (instances already running it may stay).
   */
  onFunctionChanged?(serviceName: string, functionName: string, versionId?: string, revision?: string): void;
  /** Called after a trigger was created, updated or deleted (timer triggers reschedule). */
  onTriggerChanged?(trigger: Trigger, deleted?: boolean): void;
  /** Called after a custom domain was created, updated or deleted (the gateway routes by Host). */
  onCustomDomainChanged?(domain: CustomDomain, deleted?: boolean): void;
  /** Bounds provision targets and on-demand caps (the scheduler's per-function instance limit). */
  maxInstancesPerFunction?: number;
  /** What runs for a provision config now (`current`, `currentError`). */
  provisionStatus?(config: ProvisionConfig): { current: number; currentError: string };
  /** Called after a provision config was written, so its instances start or stop at once. */
  onProvisionChanged?(): void;
  /** The clock for `createdTime`/`lastModifiedTime` (ISO-8601). */
  now?(): string;
}

/**
 * Optimistic concurrency: a write names the etag it was based on and fails with PreconditionFailed if the
 * resource moved on. `ifMatch` is given as HTTP's If-Match spells it (`abc`, `"abc"`, `W/"abc"`, `*`).
 */
export interface WriteOptions {
  ifMatch?: string;
}

/** The etag a write requires, or undefined for none (`*` and an empty If-Match match anything). */
export function expectedEtag(options: WriteOptions): string | undefined {
  const value = options.ifMatch?.trim() ?? '';
  if (value === '' || value === '*') return undefined;
  return value.replace(/^W\//, '').replaceAll('"', '');
}

export const timestamp = (deps: ControlDeps): string => deps.now?.() ?? new Date().toISOString();

/** The function a write names, resolved; only LATEST can be written (a published version is immutable). */
export async function writableFunction(store: MetaStore, key: FunctionKey): Promise<InvokeTarget> {
  const target = await resolveTarget(store, {
    serviceRef: key.serviceName,
    functionName: key.functionName,
    qualifier: key.qualifier,
  });
  requireWritable(target.versionId);
  return target;
}

/** Only LATEST can be changed: a published version is immutable (FC refuses writes through a version). */
export function requireWritable(versionId: string | undefined): void {
  if (versionId !== undefined) {
    throw new FcError('InvalidArgument', `version ${versionId} is published and cannot change: write LATEST`);
  }
}
