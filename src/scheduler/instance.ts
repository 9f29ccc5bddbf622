import { Pool } from 'undici';
import { InstanceLogCapture, type InstanceLogMeta, type LogStore } from '../logs/index.js';
import { FcError } from '../model/index.js';
import type { ExitInfo, InstanceHandle, Sandbox, SandboxSpec } from '../sandbox/index.js';
import { canonicalHeadConnector } from './canonical-head.js';
import { waitForPort } from './readiness.js';

/**
 * How to start one instance, ready-made by the invoke layer: everything but the instance id, which the
 * scheduler assigns (it is in the start permit, so the recipe's environment can name it).
 */
export interface InstanceRecipe {
  spec: Omit<SandboxSpec, 'instanceId'>;
  /** Names the instance's log lines; the scheduler adds the instance id. */
  logMeta: Omit<InstanceLogMeta, 'instanceId'>;
}

/**
 * An instance exists only once its port accepts connections (one still starting is a pending start of the
 * scheduler). `ready`: takes calls up to its concurrency. `retiring`: its function changed while calls were in
 * flight; it takes no new call and is stopped after the last one. `stopping`: Kumo is killing it. `stopped`: its
 * process has exited (stopped by Kumo, or crashed).
 */
export type InstanceState = 'ready' | 'retiring' | 'stopping' | 'stopped';

/** One running instance of a function: its sandbox handle, connection pool, log capture and call slots. */
export class Instance {
  #state: InstanceState = 'ready';
  inFlight = 0;
  lastUsed = Date.now();
  readonly startedAt = Date.now();
  /**
   * The provision config (`{acct}#{svc}#{qualifier}#{fn}`) this instance is kept for: never reaped while set,
   * and preferred for calls. Undefined for an on-demand instance.
   */
  provisionedFor: string | undefined;
  /** Set once the process has exited. */
  exit: ExitInfo | undefined;
  /** Resolves once the instance is stopped (its process exited or its stop completed). */
  readonly stopped: Promise<void>;
  readonly #markStopped: () => void;
  #initialized = false;
  #initializing: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly revision: string,
    readonly concurrency: number,
    readonly handle: InstanceHandle,
    readonly dispatcher: Pool,
    readonly logs: InstanceLogCapture,
  ) {
    let resolveStopped = () => {};
    this.stopped = new Promise((resolve) => {
      resolveStopped = resolve;
    });
    this.#markStopped = () => {
      this.#state = 'stopped';
      resolveStopped();
    };
    void handle.exited.then((info) => {
      this.exit = info;
      this.#markStopped();
    });
  }

  get state(): InstanceState {
    return this.#state;
  }

  get hasFreeSlot(): boolean {
    return this.#state === 'ready' && this.inFlight < this.concurrency;
  }

  /** Takes no new call from now on; the scheduler stops it once the calls in flight are done. */
  retire(): void {
    if (this.#state === 'ready') this.#state = 'retiring';
  }

  /** Runs `initialize` at most once successfully; concurrent callers share one attempt, a failure is retried later. */
  async ensureInitialized(initialize: () => Promise<void>): Promise<void> {
    if (this.#initialized) return;
    this.#initializing ??= initialize().then(
      () => {
        this.#initialized = true;
      },
      (error: unknown) => {
        this.#initializing = undefined;
        throw error;
      },
    );
    return this.#initializing;
  }

  async stop(): Promise<void> {
    if (this.#state !== 'stopped') this.#state = 'stopping';
    try {
      await this.dispatcher.destroy().catch(() => undefined);
      await this.handle.stop();
    } finally {
      // Even when the sandbox failed to stop it, Kumo is done with it: whatever belonged to it (keys) goes.
      this.#markStopped();
    }
  }
}

/** What the scheduler knows when it starts an instance. */
export interface InstanceStart {
  id: string;
  revision: string;
  concurrency: number;
  recipe: InstanceRecipe;
}

/** Starts the sandbox and waits until the instance's port accepts connections, or fails with FC's errors. */
export async function startInstance(
  sandbox: Sandbox,
  start: InstanceStart,
  logStore: LogStore,
  startTimeoutMs: number,
): Promise<Instance> {
  const spec: SandboxSpec = { ...start.recipe.spec, instanceId: start.id };
  const handle = await sandbox.start(spec);
  const logMeta: InstanceLogMeta = { ...start.recipe.logMeta, instanceId: start.id };
  const logs = new InstanceLogCapture(logMeta, logStore, [handle.stdout, handle.stderr]);
  const timeout = AbortSignal.timeout(startTimeoutMs);
  const exited = new AbortController();
  void handle.exited.then(() => exited.abort());
  try {
    await waitForPort(handle.host, handle.port, AbortSignal.any([timeout, exited.signal]));
  } catch (error) {
    const exitedFirst = exited.signal.aborted;
    await handle.stop();
    const exit = exitedFirst ? await handle.exited : undefined;
    throw startFailure(spec, error as Error, exit, logs.recentOutput(), startTimeoutMs);
  }
  const dispatcher = new Pool(`http://${handle.host}:${handle.port}`, {
    connections: start.concurrency,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 60_000,
    connect: canonicalHeadConnector,
  });
  return new Instance(start.id, start.revision, start.concurrency, handle, dispatcher, logs);
}

function startFailure(
  spec: SandboxSpec,
  error: Error,
  exit: ExitInfo | undefined,
  output: string,
  startTimeoutMs: number,
): FcError {
  const logs = output ? ` Logs : ${output}` : '';
  if (exit) {
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    return new FcError(
      'CAExited',
      `The CA process exited with ${how} before its http server listened on port ${spec.port} (command: ${spec.command.join(' ')}).${logs}`,
    );
  }
  return new FcError(
    'FunctionNotStarted',
    `The CA's http server cannot be started:ContainerStartDuration:${startTimeoutMs * 1_000_000}. Ping CA failed due to: ${error.message}${logs}`,
  );
}
