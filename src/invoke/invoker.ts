import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestLog } from '../logs/index.js';
import { FcError, type FunctionRecord, LIMITS, type Service } from '../model/index.js';
import type { RuntimeRegistry } from '../runtimes/index.js';
import type { SandboxSpec } from '../sandbox/index.js';
import type { Instance, InstanceBlueprint, Lease, Scheduler } from '../scheduler/index.js';
import { billingLine, toMb } from './billing.js';
import {
  type CallContext,
  instanceEnv,
  perCallFcHeaders,
  staticFcHeaders,
  type TemporaryCredentials,
} from './context.js';
import { callInstance } from './instance-call.js';
import { type Outcome, toOutcome, unhandled } from './outcome.js';

export interface InvokerDeps {
  scheduler: Scheduler;
  runtimes: RuntimeRegistry;
  /** Host directory of a code package's unpacked files. */
  codeDir(sha256: string): Promise<string>;
  /** Mints temporary credentials scoped to a service, valid for `ttlMs`. */
  mintCredentials(serviceName: string, ttlMs: number): TemporaryCredentials;
  revokeCredentials(accessKeyId: string): void;
  region: string;
  accountId: string;
  billingGranularityMs: number;
  pidsLimit: number;
}

/** What every call (event or HTTP) names. */
export interface CallRequest {
  requestId: string;
  service: Service;
  fn: FunctionRecord;
  /** Changes whenever the function changes (its etag). */
  revision: string;
  qualifier: string;
  /** Earlier attempts of this (async) invocation: the instance sees it as X-Fc-Retry-Count. */
  retryCount?: number;
}

export interface InvokeRequest extends CallRequest {
  payload: Buffer;
  tailLogs: boolean;
}

/** One call in progress on one instance. */
export interface Call {
  lease: Lease;
  instance: Instance;
  ctx: CallContext;
  log: RequestLog;
  startedAt: number;
  durationMs: number;
  peakBytes: number;
}

export interface InvokeResult {
  headers: Record<string, string>;
  body: Buffer;
}

/** A call's credentials stay valid at least this long past its timeout (FC hands out STS tokens with a margin too). */
const CREDENTIAL_MARGIN_MS = 5 * 60_000;
const INSTANCE_CREDENTIAL_TTL_MS = 24 * 3600_000;

/**
 * An instance's temporary credentials (minted with it, like the STS token FC caches per instance) and the
 * `X-Fc-*` headers that stay the same on every call to it, built once instead of on each call.
 */
interface InstanceIdentity {
  credentials: TemporaryCredentials;
  expiresAt: number;
  /** Every key id minted for the instance, revoked when it stops. */
  keyIds: string[];
  /** The rows the static headers were built from: a changed service or function builds them again. */
  fn?: FunctionRecord;
  service?: Service;
  staticHeaders?: Record<string, string>;
}

/** The synchronous invocation pipeline: get an instance, initialize it once, call it, log and bill the call. */
export class Invoker {
  readonly #identities = new Map<string, InstanceIdentity>();

  constructor(readonly deps: InvokerDeps) {}

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const call = await this.begin(request);
    const { instance, ctx } = call;
    let outcome: Outcome | undefined;
    try {
      outcome = await this.initialize(call);
      if (!outcome) {
        this.frame(call, 'Start');
        const result = await callInstance(
          instance,
          { method: 'POST', path: '/invoke', headers: this.headers(call, '/invoke'), body: request.payload },
          ctx.fn.timeout * 1000,
        );
        outcome = await toOutcome(result, {
          fn: ctx.fn,
          instance,
          startedAt: call.startedAt,
          timeoutSeconds: ctx.fn.timeout,
          what: 'Function',
        });
        this.frame(call, 'End', outcome);
      }
    } finally {
      this.finish(call, outcome);
    }
    return this.#result(outcome, call, request.tailLogs);
  }

  /** Takes an instance slot and opens the call's log. Every `begin` must be followed by one `finish`. */
  async begin(request: CallRequest): Promise<Call> {
    const { fn, requestId } = request;
    const lease = await this.deps.scheduler.acquire(this.#instanceRequest(request));
    const { instance } = lease;
    const log = instance.logs.begin(requestId);
    if (instance.inFlight === 1) instance.handle.resetPeakMemory();
    const ctx: CallContext = {
      requestId,
      fn,
      service: request.service,
      qualifier: request.qualifier,
      region: this.deps.region,
      accountId: this.deps.accountId,
      retryCount: request.retryCount,
      credentials: this.#identityFor(instance.id, request).credentials,
    };
    return { lease, instance, ctx, log, startedAt: performance.now(), durationMs: 0, peakBytes: 0 };
  }

  /** The instance's credentials, renewed when this call could outlive them. */
  #identityFor(instanceId: string, request: CallRequest): InstanceIdentity {
    const mustLast = Date.now() + request.fn.timeout * 1000 + CREDENTIAL_MARGIN_MS;
    let identity = this.#identities.get(instanceId);
    if (!identity || identity.expiresAt < mustLast) {
      const credentials = this.deps.mintCredentials(request.service.serviceName, INSTANCE_CREDENTIAL_TTL_MS);
      identity = {
        credentials,
        expiresAt: Date.now() + INSTANCE_CREDENTIAL_TTL_MS,
        keyIds: [...(identity?.keyIds ?? []), credentials.accessKeyId],
      };
      this.#identities.set(instanceId, identity);
    }
    return identity;
  }

  /** Gives the slot back (retiring the instance after a timeout or crash), logs the billing line. */
  finish(call: Call, outcome: Outcome | undefined): void {
    const destroy = outcome ? !outcome.ok && outcome.destroyInstance : true;
    call.lease.release({ destroy });
    call.durationMs = performance.now() - call.startedAt;
    call.peakBytes = call.instance.handle.peakMemoryBytes();
    const { fn, requestId } = call.ctx;
    call.instance.logs.write(
      requestId,
      billingLine(call.durationMs, this.deps.billingGranularityMs, fn.memorySize, call.peakBytes),
    );
    call.instance.logs.end(requestId);
  }

  frame(call: Call, edge: 'Start' | 'End', outcome?: Outcome): void {
    const kind =
      outcome && !outcome.ok
        ? outcome.errorType === 'HandledInvocationError'
          ? 'Handled'
          : 'Unhandled'
        : '';
    const suffix = kind ? `, Error: ${kind} function error` : '';
    call.instance.logs.write(
      call.ctx.requestId,
      `FC Invoke ${edge} RequestId: ${call.ctx.requestId}${suffix}`,
    );
  }

  headers(call: Call, controlPath: string): Record<string, string> {
    const { ctx, instance } = call;
    const identity = this.#identities.get(instance.id);
    let fixed = identity?.staticHeaders;
    if (!identity || !fixed || identity.fn !== ctx.fn || identity.service !== ctx.service) {
      fixed = staticFcHeaders(ctx, instance.id);
      if (identity) Object.assign(identity, { fn: ctx.fn, service: ctx.service, staticHeaders: fixed });
    }
    const headers = perCallFcHeaders(fixed, ctx, controlPath);
    if (controlPath !== '/http-invoke') headers['Content-Type'] = 'application/octet-stream';
    return headers;
  }

  /** Headers every caller gets back, whatever the outcome. */
  responseHeaders(call: Call): Record<string, string> {
    return {
      'x-fc-invocation-duration': String(Math.ceil(call.durationMs)),
      'x-fc-max-memory-usage': toMb(call.peakBytes),
      'x-fc-code-checksum': call.ctx.fn.code?.codeChecksum ?? '',
      'x-fc-instance-id': call.instance.id,
      'x-fc-invocation-service-version': 'LATEST',
    };
  }

  /** Runs the initializer if the function has one and this instance has not run it successfully yet. */
  async initialize(call: Call): Promise<Outcome | undefined> {
    const { instance, ctx } = call;
    const { fn, requestId } = ctx;
    if (!fn.initializer) return undefined;
    try {
      await instance.ensureInitialized(async () => {
        const startedAt = performance.now();
        instance.logs.write(requestId, `FC Initialize Start RequestId: ${requestId}`);
        const result = await callInstance(
          instance,
          {
            method: 'POST',
            path: '/initialize',
            headers: this.headers(call, '/initialize'),
            body: null,
          },
          fn.initializationTimeout * 1000,
        );
        const outcome = await toOutcome(result, {
          fn,
          instance,
          startedAt,
          timeoutSeconds: fn.initializationTimeout,
          what: 'Function initialization',
        });
        instance.logs.write(
          requestId,
          `FC Initialize End RequestId: ${requestId}${outcome.ok ? '' : ', Error: Unhandled function error'}`,
        );
        if (!outcome.ok) throw new InitializationFailed(outcome);
      });
      return undefined;
    } catch (error) {
      if (error instanceof InitializationFailed) return error.outcome;
      return unhandled(`the initializer failed: ${(error as Error).message}`, true);
    }
  }

  #result(outcome: Outcome | undefined, call: Call, tailLogs: boolean): InvokeResult {
    const headers = this.responseHeaders(call);
    if (tailLogs)
      headers['x-fc-log-result'] = Buffer.from(call.log.tail(LIMITS.logResultBytesMax)).toString('base64');
    if (outcome?.ok) {
      headers['content-type'] = outcome.headers['content-type'] ?? 'application/octet-stream';
      return { headers, body: outcome.body };
    }
    const failure = outcome ?? unhandled('the call ended without an outcome', true);
    headers['content-type'] = 'application/json';
    headers['x-fc-error-type'] = failure.errorType;
    return { headers, body: Buffer.from(JSON.stringify(failure.error)) };
  }

  #instanceRequest(request: CallRequest) {
    const { fn, service } = request;
    const poolKey = `${service.serviceName}/${fn.functionName}`;
    return {
      poolKey,
      revision: request.revision,
      concurrency: fn.instanceConcurrency,
      maxWaitMs: fn.timeout * 1000,
      blueprint: async (instanceId: string): Promise<InstanceBlueprint> => {
        const runtime = this.deps.runtimes.resolve(fn.runtime);
        // A runtime with a `prepare` step (custom-container) brings its own filesystem: no code package needed.
        if (!fn.code && !runtime.prepare) {
          throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code`);
        }
        const codeDir = fn.code ? await this.deps.codeDir(fn.code.sha256) : '';
        const command = runtime.command(fn);
        if (!runtime.prepare) await checkBootstrap(codeDir, command);
        const { credentials } = this.#identityFor(instanceId, request);
        const ctx = {
          fn,
          service,
          qualifier: request.qualifier,
          region: this.deps.region,
          accountId: this.deps.accountId,
          credentials,
        };
        const spec: SandboxSpec = {
          instanceId,
          codeDir,
          command,
          env: instanceEnv(ctx, instanceId),
          port: fn.caPort,
          memoryMb: fn.memorySize,
          pidsLimit: this.deps.pidsLimit,
          tmpSizeMb: LIMITS.tmpSizeMb,
          internetAccess: service.internetAccess !== false,
          readOnlyMounts: runtime.mounts,
        };
        // Platform lines of the start (image pulls) go to the function's log, under the request that caused it.
        const log = (message: string) =>
          this.deps.scheduler.logStore.append({
            time: Date.now(),
            serviceName: service.serviceName,
            functionName: fn.functionName,
            qualifier: request.qualifier,
            requestId: request.requestId,
            instanceId,
            message,
          });
        return {
          spec: runtime.prepare ? await runtime.prepare(fn, spec, log) : spec,
          revision: request.revision,
          concurrency: fn.instanceConcurrency,
          logMeta: {
            serviceName: service.serviceName,
            functionName: fn.functionName,
            qualifier: request.qualifier,
            instanceId,
          },
        };
      },
      onStopped: (instanceId: string) => {
        for (const id of this.#identities.get(instanceId)?.keyIds ?? []) this.deps.revokeCredentials(id);
        this.#identities.delete(instanceId);
      },
    };
  }
}

class InitializationFailed extends Error {
  constructor(readonly outcome: Outcome) {
    super('initializer failed');
  }
}

/** The default custom-runtime entry point must exist and be executable: say so clearly instead of a failed start. */
async function checkBootstrap(codeDir: string, command: string[]): Promise<void> {
  if (command[0] !== '/code/bootstrap') return;
  const file = join(codeDir, 'bootstrap');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    throw new FcError(
      'CAExited',
      'the code has no file named bootstrap in its root: a custom runtime starts /code/bootstrap (or set customRuntimeConfig.command)',
    );
  }
  await access(file, constants.X_OK).catch(() => {
    throw new FcError(
      'CAFilePermission',
      'bootstrap is not executable: chmod +x bootstrap before zipping the code',
    );
  });
}
