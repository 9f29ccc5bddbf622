import { Pool } from 'undici';
import { InstanceLogCapture, type InstanceLogMeta, type LogStore } from '../logs/index.js';
import { FcError } from '../model/index.js';
import type { ExitInfo, InstanceHandle, Sandbox, SandboxSpec } from '../sandbox/index.js';
import { waitForPort } from './readiness.js';

export type InstanceState = 'starting' | 'ready' | 'retiring' | 'stopped';

/** One running instance of a function: its sandbox handle, connection pool, log capture and call slots. */
export class Instance {
  state: InstanceState = 'ready';
  inFlight = 0;
  lastUsed = Date.now();
  /** Set once the process has exited. */
  exit: ExitInfo | undefined;
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
    void handle.exited.then((info) => {
      this.exit = info;
      this.state = 'stopped';
    });
  }

  get hasFreeSlot(): boolean {
    return this.state === 'ready' && this.inFlight < this.concurrency;
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
    this.state = 'stopped';
    await this.dispatcher.destroy().catch(() => undefined);
    await this.handle.stop();
  }
}

export interface InstanceBlueprint {
  spec: SandboxSpec;
  revision: string;
  concurrency: number;
  logMeta: InstanceLogMeta;
}

/** Starts the sandbox and waits until the instance's port accepts connections, or fails with FC's errors. */
export async function startInstance(
  sandbox: Sandbox,
  blueprint: InstanceBlueprint,
  logStore: LogStore,
  startTimeoutMs: number,
): Promise<Instance> {
  const handle = await sandbox.start(blueprint.spec);
  const logs = new InstanceLogCapture(blueprint.logMeta, logStore, [handle.stdout, handle.stderr]);
  const timeout = AbortSignal.timeout(startTimeoutMs);
  const exited = new AbortController();
  void handle.exited.then(() => exited.abort());
  try {
    await waitForPort(handle.host, handle.port, AbortSignal.any([timeout, exited.signal]));
  } catch (error) {
    const exitedFirst = exited.signal.aborted;
    await handle.stop();
    const exit = exitedFirst ? await handle.exited : undefined;
    throw startFailure(blueprint, error as Error, exit, logs.recentOutput(), startTimeoutMs);
  }
  const dispatcher = new Pool(`http://${handle.host}:${handle.port}`, {
    connections: blueprint.concurrency,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 60_000,
  });
  return new Instance(
    blueprint.spec.instanceId,
    blueprint.revision,
    blueprint.concurrency,
    handle,
    dispatcher,
    logs,
  );
}

function startFailure(
  blueprint: InstanceBlueprint,
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
      `The CA process exited with ${how} before its http server listened on port ${blueprint.spec.port} (command: ${blueprint.spec.command.join(' ')}).${logs}`,
    );
  }
  return new FcError(
    'FunctionNotStarted',
    `The CA's http server cannot be started:ContainerStartDuration:${startTimeoutMs * 1_000_000}. Ping CA failed due to: ${error.message}${logs}`,
  );
}
