import type { Logger } from 'pino';
import { FcError } from '../model/index.js';
import type { ExitInfo } from '../sandbox/index.js';
import type { Instance } from './instance.js';
import type { SchedulerObserver } from './types.js';

/** Consecutive starts the sandbox itself failed (not the function) before the server reports it unusable. */
const SANDBOX_FAILURES_UNREADY = 3;

/**
 * The server's lines about instances (one per start, stop and crash, with the reason), the observer's counts,
 * and whether the sandbox still starts anything (for `/readyz`).
 */
export class StartWatch {
  #sandboxFailures = 0;
  #sandboxError = '';

  constructor(
    readonly logger: Logger,
    readonly observer: SchedulerObserver | undefined,
  ) {}

  started(instanceId: string, poolKey: string, durationMs: number, provisioned: boolean): void {
    this.#sandboxFailures = 0;
    this.observer?.instanceStarted(durationMs, true);
    this.logger.info(
      { event: 'instance.start', instanceId, poolKey, durationMs, provisioned },
      'instance started',
    );
  }

  /** A start failed: the function's fault (its server exited or never listened: FC errors) or the sandbox's. */
  failed(instanceId: string, poolKey: string, durationMs: number, error: unknown): void {
    this.observer?.instanceStarted(durationMs, false);
    const code = error instanceof FcError ? error.code : undefined;
    if (code === undefined) {
      this.#sandboxFailures++;
      this.#sandboxError = (error as Error).message;
    }
    this.logger.warn(
      { event: 'instance.start_failed', instanceId, poolKey, durationMs, code, err: error },
      'instance failed to start',
    );
  }

  stopped(instance: Instance, poolKey: string, reason: string): void {
    this.observer?.instanceStopped(reason);
    const ageMs = Date.now() - instance.startedAt;
    this.logger.info(
      { event: 'instance.stop', instanceId: instance.id, poolKey, reason, ageMs },
      'instance stopped',
    );
  }

  /** The instance's process exited while Kumo had not asked it to. */
  crashed(instanceId: string, poolKey: string, exit: ExitInfo): void {
    const reason = exit.oomKilled ? 'oom' : 'crashed';
    this.observer?.instanceStopped(reason);
    this.logger.warn(
      { event: 'instance.crash', instanceId, poolKey, reason, exitCode: exit.code, signal: exit.signal },
      exit.oomKilled ? 'instance killed: out of memory' : 'instance crashed',
    );
  }

  /** Why the sandbox looks unusable (its last starts all failed), or undefined. */
  get sandboxTrouble(): string | undefined {
    if (this.#sandboxFailures < SANDBOX_FAILURES_UNREADY) return undefined;
    return `the last ${this.#sandboxFailures} instance starts failed in the sandbox: ${this.#sandboxError}`;
  }
}
