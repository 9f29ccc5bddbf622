import { randomBytes } from 'node:crypto';
import type { GenericInstance, SandboxSpec } from '../types.js';
import { waitForAgent } from './agent.js';
import type { GenericSpec } from './shape.js';

/** Starts instances without a function (BwrapSandbox.startGeneric). */
export interface GenericStarter {
  startGeneric(spec: SandboxSpec): Promise<GenericInstance>;
}

/** A ready pool instance and the token its agent expects with its one specialisation. */
export interface PooledInstance {
  instance: GenericInstance;
  token: string;
}

export interface RuntimePoolOptions {
  startTimeoutMs: number;
  /** True while the host is short of memory: idle instances are stopped and none are started. */
  underPressure(): boolean;
  /** Where a failed start is reported. */
  warn(message: string): void;
}

const MAX_BACKOFF_MS = 60_000;
const REFILL_DELAY_MS = 100;
const PRESSURE_CHECK_MS = 5_000;
let started = 0;

/**
 * One runtime's pool: up to `size` ready instances, refilled in the background one start at a time, backing off
 * (1 s doubling to 60 s) after failed starts, emptied while the host is short of memory.
 */
export class RuntimePool {
  readonly #ready: PooledInstance[] = [];
  #starting: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #watch: NodeJS.Timeout;
  #closed = false;
  takes = 0;
  misses = 0;

  constructor(
    /** The pool's name (docs/prewarm.md): its runtime, or `runtime:<MB>`. */
    readonly name: string,
    readonly size: number,
    readonly generic: GenericSpec,
    readonly starter: GenericStarter,
    readonly options: RuntimePoolOptions,
  ) {
    this.#watch = setInterval(() => this.refill(), PRESSURE_CHECK_MS).unref();
    this.refill();
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  get startingCount(): number {
    return this.#starting ? 1 : 0;
  }

  /**
   * A ready instance (no longer the pool's), or undefined. The pool refills a moment later: starting an instance
   * (spawn, mounts, netns) takes Kumo's thread for milliseconds, which the taken instance's first call should not
   * wait behind.
   */
  take(): PooledInstance | undefined {
    const taken = this.#ready.shift();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.refill(), REFILL_DELAY_MS).unref();
    return taken;
  }

  refill(): void {
    if (this.#closed || this.#starting) return;
    if (this.options.underPressure()) {
      for (const idle of this.#ready.splice(0)) void idle.instance.handle.stop().catch(() => {});
      return;
    }
    if (this.#ready.length >= this.size) return;
    const wait = this.#retryAt - Date.now();
    if (wait > 0) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.refill(), wait).unref();
      return;
    }
    this.#starting = this.#startOne().then((ok) => {
      this.#failures = ok ? 0 : this.#failures + 1;
      this.#retryAt = ok ? 0 : Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.#failures - 1));
      this.#starting = undefined;
      this.refill();
    });
  }

  async #startOne(): Promise<boolean> {
    const token = randomBytes(16).toString('hex');
    const instanceId = `pw-${this.name.replace(/[^a-z0-9]+/g, '-')}-${++started}`.slice(0, 32);
    const env = { ...this.generic.env, KUMO_PREWARM_TOKEN: token };
    let instance: GenericInstance;
    try {
      instance = await this.starter.startGeneric({ ...this.generic, env, instanceId, codeDir: '' });
    } catch (error) {
      this.options.warn(`pre-warming a ${this.name} instance failed: ${(error as Error).message}`);
      return false;
    }
    const { handle } = instance;
    const exited = new AbortController();
    void handle.exited.then(() => exited.abort());
    try {
      const timeout = AbortSignal.timeout(this.options.startTimeoutMs);
      await waitForAgent(handle.host, handle.port, AbortSignal.any([timeout, exited.signal]));
    } catch (error) {
      await handle.stop().catch(() => {});
      this.options.warn(`a pre-warmed ${this.name} instance did not start: ${(error as Error).message}`);
      return false;
    }
    if (this.#closed) {
      await handle.stop().catch(() => {});
      return true;
    }
    const entry = { instance, token };
    this.#ready.push(entry);
    void handle.exited.then(() => {
      const at = this.#ready.indexOf(entry);
      if (at < 0) return;
      this.#ready.splice(at, 1);
      this.refill();
    });
    return true;
  }

  /** Stops the idle instances (taken ones belong to their functions now). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#watch);
    await this.#starting;
    await Promise.all(this.#ready.splice(0).map((idle) => idle.instance.handle.stop().catch(() => {})));
  }
}
