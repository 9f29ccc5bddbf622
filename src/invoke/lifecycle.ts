import type { InvocationOutcome, Metrics } from '../metrics/index.js';
import { FcError, type FunctionRecord, type Service } from '../model/index.js';
import type { InstanceRecipe, Lease, Scheduler, StartPermit } from '../scheduler/index.js';
import { billingLine } from './billing.js';
import { Call, type Exchange, type Sent } from './call.js';
import type { CallContext } from './context.js';
import type { InstanceIdentities } from './identity.js';
import { callInstance } from './instance-call.js';
import { type Outcome, toOutcome, unhandled } from './outcome.js';
import type { StartRecipes } from './recipe.js';

/** What every call (event or HTTP, sync, async or timer) names. */
export interface CallRequest {
  requestId: string;
  service: Service;
  fn: FunctionRecord;
  /** Changes whenever what runs changes (LATEST's etag; a published version's is stable). */
  revision: string;
  qualifier: string;
  /** The published version the qualifier resolved to; undefined for LATEST. */
  versionId?: string;
  /** Earlier attempts of this (async) invocation: the instance sees it as X-Fc-Retry-Count. */
  retryCount?: number;
}

export interface LifecycleDeps {
  scheduler: Scheduler;
  recipes: StartRecipes;
  identities: InstanceIdentities;
  region: string;
  accountId: string;
  billingGranularityMs: number;
  /** The qualifier's on-demand instance cap (FC's `maximumInstanceCount`), if one is configured. */
  onDemandCap?(request: CallRequest): number | undefined;
  /** Told how each call ended (metrics); on the hot path, so only counters and histograms behind it. */
  observer?: CallObserver;
}

export type CallObserver = Pick<Metrics, 'invocation' | 'throttled'>;

/**
 * One call from start to end, the same for every kind of call: take a slot (starting an instance from its
 * recipe when the scheduler grants a start), initialize the instance once, frame the call's log with
 * `FC Invoke Start/End`, let the exchange call the instance, then log the billing line and give the slot back.
 */
export class CallLifecycle {
  readonly #deps: LifecycleDeps;

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  async run<T>(request: CallRequest, exchange: Exchange<T>): Promise<T> {
    const startedAt = performance.now();
    let call: Call;
    try {
      call = await this.#begin(request);
    } catch (error) {
      this.#refused(request, error, performance.now() - startedAt);
      throw error;
    }
    let initFailure: Outcome | undefined;
    let sent: Sent<T> | undefined;
    try {
      initFailure = await this.#initialize(call);
      if (!initFailure) {
        this.#frame(call, 'Start');
        sent = await exchange.send(call);
      }
    } catch (error) {
      this.#finish(call, undefined);
      throw error;
    }
    if (!sent) {
      const outcome = initFailure ?? unhandled('the call ended without an outcome', true);
      this.#finish(call, outcome);
      return exchange.answer(call, outcome);
    }
    if ('reply' in sent) {
      void sent.outcome
        .catch((error: unknown) => unhandled(`the call failed: ${(error as Error).message}`, true))
        .then((outcome) => this.#end(call, outcome));
      return sent.reply;
    }
    this.#end(call, sent.outcome);
    return exchange.answer(call, sent.outcome);
  }

  /** Takes an instance slot and opens the call's log. Every `#begin` is followed by one `#finish`. */
  async #begin(request: CallRequest): Promise<Call> {
    return this.#open(request, await this.#acquire(request));
  }

  /** Opens a call's log on a slot already taken. */
  #open(request: CallRequest, lease: Lease): Call {
    const { fn, service, requestId } = request;
    const { instance } = lease;
    const log = instance.logs.begin(requestId);
    if (instance.inFlight === 1) instance.handle.resetPeakMemory();
    const { identities, region, accountId } = this.#deps;
    const ctx: CallContext = {
      requestId,
      fn,
      service,
      qualifier: request.qualifier,
      versionId: request.versionId,
      region,
      accountId,
      retryCount: request.retryCount,
      credentials: identities.forCall(instance, service.serviceName, fn.timeout),
    };
    return new Call(lease, ctx, log, identities.staticHeaders(ctx, instance.id));
  }

  async #acquire(request: CallRequest): Promise<Lease> {
    const { fn, service } = request;
    const slot = await this.#deps.scheduler.acquire({
      poolKey: poolKeyOf(service.serviceName, fn.functionName, request.versionId),
      revision: request.revision,
      concurrency: fn.instanceConcurrency,
      maxWaitMs: fn.timeout * 1000,
      maxOnDemand: this.#deps.onDemandCap?.(request),
    });
    return slot.kind === 'lease' ? slot : this.#coldStart(slot, request);
  }

  /**
   * Starts an instance the scheduler granted outside any call (a provisioned one) and runs the function's
   * initializer on it, as FC does before a provisioned instance takes calls. The lease is the caller's; a failed
   * initializer stops the instance and rejects.
   */
  async startInstance(permit: StartPermit, request: CallRequest): Promise<Lease> {
    const lease = await this.#coldStart(permit, request);
    if (!request.fn.initializer) return lease;
    const call = this.#open(request, lease);
    const failure = await this.#initialize(call);
    call.instance.logs.end(request.requestId);
    if (failure && !failure.ok) {
      lease.release({ destroy: true });
      throw new Error(`the initializer failed: ${failure.error.errorMessage}`);
    }
    return lease;
  }

  /** The scheduler granted a start: build the recipe (with the instance's own credentials) and start it. */
  async #coldStart(permit: StartPermit, request: CallRequest): Promise<Lease> {
    const { identities } = this.#deps;
    let lease: Lease;
    try {
      lease = await permit.start(this.#recipe(permit.instanceId, request));
    } catch (error) {
      identities.revoke(permit.instanceId);
      throw error;
    }
    identities.watch(lease.instance);
    return lease;
  }

  async #recipe(instanceId: string, request: CallRequest): Promise<InstanceRecipe> {
    const credentials = this.#deps.identities.mintForStart(instanceId, request.service.serviceName);
    return this.#deps.recipes.build(request, instanceId, credentials);
  }

  /** Runs the initializer if the function has one and this instance has not run it successfully yet. */
  async #initialize(call: Call): Promise<Outcome | undefined> {
    const { instance, ctx } = call;
    const { fn, requestId } = ctx;
    if (!fn.initializer) return undefined;
    try {
      await instance.ensureInitialized(async () => {
        const startedAt = performance.now();
        instance.logs.write(requestId, `FC Initialize Start RequestId: ${requestId}`);
        const result = await callInstance(
          instance,
          { method: 'POST', path: '/initialize', headers: call.instanceHeaders('/initialize'), body: null },
          fn.initializationTimeout * 1000,
        );
        const outcome = await toOutcome(result, {
          fn,
          instance,
          startedAt,
          timeoutSeconds: fn.initializationTimeout,
          what: 'Function initialization',
        });
        instance.logs.write(requestId, `FC Initialize End RequestId: ${requestId}${errorSuffix(outcome)}`);
        if (!outcome.ok) throw new InitializationFailed(outcome);
      });
      return undefined;
    } catch (error) {
      if (error instanceof InitializationFailed) return error.outcome;
      return unhandled(`the initializer failed: ${(error as Error).message}`, true);
    }
  }

  #frame(call: Call, edge: 'Start' | 'End', outcome?: Outcome): void {
    const suffix = outcome ? errorSuffix(outcome) : '';
    call.instance.logs.write(
      call.ctx.requestId,
      `FC Invoke ${edge} RequestId: ${call.ctx.requestId}${suffix}`,
    );
  }

  #end(call: Call, outcome: Outcome): void {
    this.#frame(call, 'End', outcome);
    this.#finish(call, outcome);
  }

  /** Gives the slot back (retiring the instance after a timeout or crash), logs the billing line. */
  #finish(call: Call, outcome: Outcome | undefined): void {
    const destroy = outcome ? !outcome.ok && outcome.destroyInstance : true;
    call.lease.release({ destroy, reason: outcome?.ok === false ? outcome.cause : 'platform error' });
    call.durationMs = performance.now() - call.startedAt;
    const { ctx } = call;
    this.#deps.observer?.invocation(
      ctx.service.serviceName,
      ctx.fn.functionName,
      ctx.qualifier,
      outcomeLabel(outcome),
      call.durationMs,
      call.lease.coldStart,
    );
    if (!call.peakFinal) call.peakBytes = call.instance.handle.peakMemoryBytes();
    const { fn, requestId } = call.ctx;
    const billing = billingLine(
      call.durationMs,
      this.#deps.billingGranularityMs,
      fn.memorySize,
      call.peakBytes,
    );
    call.instance.logs.write(requestId, billing);
    call.instance.logs.end(requestId);
  }

  /** No call could begin: no instance could take it (a throttle), or the platform failed (a start failed). */
  #refused(request: CallRequest, error: unknown, durationMs: number): void {
    const { observer } = this.#deps;
    if (!observer) return;
    const service = request.service.serviceName;
    const fn = request.fn.functionName;
    const code = error instanceof FcError ? error.code : '';
    if (code === 'ResourceThrottled' || code === 'ResourceExhausted')
      observer.throttled(service, fn, request.qualifier, code);
    else observer.invocation(service, fn, request.qualifier, 'platform_error', durationMs, false);
  }
}

function outcomeLabel(outcome: Outcome | undefined): InvocationOutcome {
  if (!outcome) return 'platform_error';
  if (outcome.ok) return 'success';
  if (outcome.cause) return outcome.cause;
  return outcome.errorType === 'HandledInvocationError' ? 'handled_error' : 'unhandled_error';
}

/** The End line's error suffix, which agrees with the caller's `X-Fc-Error-Type` (FC_RUNTIME.md §1.5). */
function errorSuffix(outcome: Outcome): string {
  if (outcome.ok) return '';
  return `, Error: ${outcome.errorType === 'HandledInvocationError' ? 'Handled' : 'Unhandled'} function error`;
}

class InitializationFailed extends Error {
  constructor(readonly outcome: Outcome) {
    super('initializer failed');
  }
}

/**
 * Instances are pooled per resolved version: LATEST's pool is `svc/fn` (an update of LATEST retires it), a
 * published version's `svc/fn@2` (never retired by a change, since a version cannot change).
 */
export function poolKeyOf(serviceName: string, functionName: string, versionId?: string): string {
  return versionId === undefined
    ? `${serviceName}/${functionName}`
    : `${serviceName}/${functionName}@${versionId}`;
}
