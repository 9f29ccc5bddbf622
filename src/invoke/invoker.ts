import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FcError, type FunctionRecord, LIMITS, type Service } from '../model/index.js';
import type { RuntimeRegistry } from '../runtimes/index.js';
import type { Instance, InstanceBlueprint, Lease, Scheduler } from '../scheduler/index.js';
import { billingLine, toMb } from './billing.js';
import { type CallContext, fcHeaders, instanceEnv, type TemporaryCredentials } from './context.js';
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

export interface InvokeRequest {
  requestId: string;
  service: Service;
  fn: FunctionRecord;
  /** Changes whenever the function changes (its etag). */
  revision: string;
  qualifier: string;
  payload: Buffer;
  tailLogs: boolean;
}

export interface InvokeResult {
  headers: Record<string, string>;
  body: Buffer;
}

/** Credentials stay valid this long past a call's timeout (FC hands out STS tokens with a margin too). */
const CREDENTIAL_MARGIN_MS = 5 * 60_000;
const INSTANCE_CREDENTIAL_TTL_MS = 24 * 3600_000;

/** The synchronous invocation pipeline: get an instance, initialize it once, call it, log and bill the call. */
export class Invoker {
  constructor(readonly deps: InvokerDeps) {}

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const { fn, requestId } = request;
    const lease = await this.deps.scheduler.acquire(this.#instanceRequest(request));
    const { instance } = lease;
    const log = instance.logs.begin(requestId);
    const startedAt = performance.now();
    if (instance.inFlight === 1) instance.handle.resetPeakMemory();
    const ctx: CallContext = {
      requestId,
      fn,
      service: request.service,
      qualifier: request.qualifier,
      region: this.deps.region,
      accountId: this.deps.accountId,
      credentials: this.deps.mintCredentials(
        request.service.serviceName,
        fn.timeout * 1000 + CREDENTIAL_MARGIN_MS,
      ),
    };
    let outcome: Outcome | undefined;
    try {
      outcome = await this.#initialize(instance, ctx);
      if (!outcome) {
        instance.logs.write(requestId, `FC Invoke Start RequestId: ${requestId}`);
        const result = await callInstance(
          instance,
          {
            method: 'POST',
            path: '/invoke',
            headers: this.#headers(ctx, '/invoke', instance),
            body: request.payload,
          },
          fn.timeout * 1000,
        );
        outcome = await toOutcome(result, {
          fn,
          instance,
          startedAt,
          timeoutSeconds: fn.timeout,
          what: 'Function',
        });
        const suffix = outcome.ok
          ? ''
          : `, Error: ${outcome.errorType === 'HandledInvocationError' ? 'Handled' : 'Unhandled'} function error`;
        instance.logs.write(requestId, `FC Invoke End RequestId: ${requestId}${suffix}`);
      }
    } finally {
      const destroy = outcome ? !outcome.ok && outcome.destroyInstance : true;
      lease.release({ destroy });
    }
    const durationMs = performance.now() - startedAt;
    const peak = instance.handle.peakMemoryBytes();
    instance.logs.write(
      requestId,
      billingLine(durationMs, this.deps.billingGranularityMs, fn.memorySize, peak),
    );
    instance.logs.end(requestId);
    return this.#result(outcome, {
      fn,
      instance,
      lease,
      durationMs,
      peak,
      tail: request.tailLogs ? log.tail(LIMITS.logResultBytesMax) : undefined,
    });
  }

  /** Runs the initializer if the function has one and this instance has not run it successfully yet. */
  async #initialize(instance: Instance, ctx: CallContext): Promise<Outcome | undefined> {
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
            headers: this.#headers(ctx, '/initialize', instance),
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

  #headers(ctx: CallContext, controlPath: string, instance: Instance): Record<string, string> {
    return {
      ...fcHeaders(ctx, controlPath, instance.id),
      'Content-Type': 'application/octet-stream',
    };
  }

  #result(
    outcome: Outcome | undefined,
    call: {
      fn: FunctionRecord;
      instance: Instance;
      lease: Lease;
      durationMs: number;
      peak: number;
      tail?: string;
    },
  ): InvokeResult {
    const headers: Record<string, string> = {
      'x-fc-invocation-duration': String(Math.ceil(call.durationMs)),
      'x-fc-max-memory-usage': toMb(call.peak),
      'x-fc-code-checksum': call.fn.code?.codeChecksum ?? '',
      'x-fc-instance-id': call.instance.id,
      'x-fc-invocation-service-version': 'LATEST',
    };
    if (call.tail !== undefined) headers['x-fc-log-result'] = Buffer.from(call.tail).toString('base64');
    if (!outcome) {
      return {
        headers: {
          ...headers,
          'content-type': 'application/json',
          'x-fc-error-type': 'UnhandledInvocationError',
        },
        body: Buffer.from('{"errorMessage":"internal error"}'),
      };
    }
    if (outcome.ok) {
      headers['content-type'] = outcome.headers['content-type'] ?? 'application/octet-stream';
      return { headers, body: outcome.body };
    }
    headers['content-type'] = 'application/json';
    headers['x-fc-error-type'] = outcome.errorType;
    return { headers, body: Buffer.from(JSON.stringify(outcome.error)) };
  }

  #instanceRequest(request: InvokeRequest) {
    const { fn, service } = request;
    const poolKey = `${service.serviceName}/${fn.functionName}`;
    const credentialIds = new Map<string, string>();
    return {
      poolKey,
      revision: request.revision,
      concurrency: fn.instanceConcurrency,
      maxWaitMs: fn.timeout * 1000,
      blueprint: async (instanceId: string): Promise<InstanceBlueprint> => {
        const runtime = this.deps.runtimes.resolve(fn.runtime);
        if (!fn.code) throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code`);
        const codeDir = await this.deps.codeDir(fn.code.sha256);
        const command = runtime.command(fn);
        await checkBootstrap(codeDir, command);
        const credentials = this.deps.mintCredentials(service.serviceName, INSTANCE_CREDENTIAL_TTL_MS);
        credentialIds.set(instanceId, credentials.accessKeyId);
        const ctx = {
          fn,
          service,
          qualifier: request.qualifier,
          region: this.deps.region,
          accountId: this.deps.accountId,
          credentials,
        };
        return {
          spec: {
            instanceId,
            codeDir,
            command,
            env: instanceEnv(ctx, instanceId),
            port: fn.caPort,
            memoryMb: fn.memorySize,
            pidsLimit: this.deps.pidsLimit,
            tmpSizeMb: LIMITS.tmpSizeMb,
          },
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
        const id = credentialIds.get(instanceId);
        if (id) this.deps.revokeCredentials(id);
        credentialIds.delete(instanceId);
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
