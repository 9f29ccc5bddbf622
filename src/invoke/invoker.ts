import { LIMITS } from '../model/index.js';
import type { RuntimeRegistry } from '../runtimes/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Call, Exchange } from './call.js';
import type { TemporaryCredentials } from './context.js';
import { InstanceIdentities } from './identity.js';
import { callInstance } from './instance-call.js';
import { CallLifecycle, type CallObserver, type CallRequest } from './lifecycle.js';
import { type Outcome, toOutcome } from './outcome.js';
import { type PlatformLog, StartRecipes } from './recipe.js';

export type { CallRequest } from './lifecycle.js';

export interface InvokerDeps {
  scheduler: Scheduler;
  runtimes: RuntimeRegistry;
  /** Host directory of a code package's unpacked files. */
  codeDir(sha256: string): Promise<string>;
  /** Host directory of a function's layers merged for `/opt` (see RecipeDeps). */
  layersDir?(layerArns: readonly string[], reserved: readonly string[]): Promise<string>;
  /** Mints temporary credentials scoped to a service, valid for `ttlMs`. */
  mintCredentials(serviceName: string, ttlMs: number): TemporaryCredentials;
  revokeCredentials(accessKeyId: string): void;
  /** The function log, for platform lines written outside a call's capture (an instance's image pull). */
  logs: PlatformLog;
  region: string;
  accountId: string;
  billingGranularityMs: number;
  pidsLimit: number;
  /** The qualifier's on-demand instance cap (FC's `maximumInstanceCount`), if one is configured. */
  onDemandCap?(request: CallRequest): number | undefined;
  /** Told how each call ended (metrics). */
  observer?: CallObserver;
}

export interface InvokeRequest extends CallRequest {
  payload: Buffer;
  tailLogs: boolean;
  /** Stops the call (a stopped async invocation); the instance running it is retired. */
  signal?: AbortSignal;
}

export interface InvokeResult {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Runs calls on instances. `invoke` is an event call (sync API, async worker, timers): the payload goes to
 * `POST /invoke` and the whole answer comes back; `invokeHttp` (http.ts) streams an HTTP request through the
 * same call lifecycle.
 */
export class Invoker {
  readonly calls: CallLifecycle;

  constructor(deps: InvokerDeps) {
    const { scheduler, region, accountId, billingGranularityMs } = deps;
    const recipes = new StartRecipes(deps);
    const identities = new InstanceIdentities({ mint: deps.mintCredentials, revoke: deps.revokeCredentials });
    this.calls = new CallLifecycle({
      scheduler,
      recipes,
      identities,
      region,
      accountId,
      billingGranularityMs,
      onDemandCap: deps.onDemandCap,
      observer: deps.observer,
    });
  }

  invoke(request: InvokeRequest): Promise<InvokeResult> {
    return this.calls.run(request, eventExchange(request));
  }
}

function eventExchange(request: InvokeRequest): Exchange<InvokeResult> {
  return {
    async send(call) {
      const result = await callInstance(
        call.instance,
        {
          method: 'POST',
          path: '/invoke',
          headers: call.instanceHeaders('/invoke'),
          body: request.payload,
          signal: request.signal,
        },
        call.ctx.fn.timeout * 1000,
      );
      return { outcome: await toOutcome(result, call.outcomeContext()) };
    },
    answer: (call, outcome) => eventResult(call, outcome, request.tailLogs),
  };
}

function eventResult(call: Call, outcome: Outcome, tailLogs: boolean): InvokeResult {
  const headers = call.responseHeaders();
  // FC tails a call's log only on an instance that serves one call at a time (FC_RUNTIME.md §3).
  if (tailLogs && call.ctx.fn.instanceConcurrency <= 1)
    headers['x-fc-log-result'] = Buffer.from(call.log.tail(LIMITS.logResultBytesMax)).toString('base64');
  if (outcome.ok) {
    headers['content-type'] = outcome.headers['content-type'] ?? 'application/octet-stream';
    return { headers, body: outcome.body };
  }
  headers['content-type'] = 'application/json';
  headers['x-fc-error-type'] = outcome.errorType;
  return { headers, body: Buffer.from(JSON.stringify(outcome.error)) };
}
