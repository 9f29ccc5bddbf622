import { sandboxEnv } from '../bwrap-args.js';
import type { InstanceHandle, Sandbox, SandboxSpec } from '../types.js';
import { specializeAgent } from './agent.js';
import { underMemoryPressure } from './memory.js';
import { type GenericStarter, RuntimePool } from './pool.js';
import { type GenericSpec, servesSpec } from './shape.js';

/** One runtime's pool: how many instances to keep ready, started from `generic`. */
export interface PrewarmTarget {
  runtime: string;
  size: number;
  generic: GenericSpec;
}

export interface PrewarmStats {
  runtime: string;
  ready: number;
  starting: number;
  /** Starts served by a pool instance. */
  takes: number;
  /** Starts of a pooled runtime that found no ready instance, or whose specialisation failed. */
  misses: number;
}

export interface PrewarmOptions {
  startTimeoutMs: number;
  warn(message: string): void;
  /** Available memory under which pools shrink to nothing (default: see `underMemoryPressure`). */
  minAvailableBytes?: number;
}

const SPECIALIZE_TIMEOUT_MS = 5_000;

/**
 * A `Sandbox` that starts an instance from a pre-warmed generic one of its runtime when the spec fits the pool's
 * shape (`servesSpec`), specialising it (code, name, limits on the host side; environment in the agent), and
 * delegates every other start (and any failed specialisation) to the sandbox it wraps. An instance taken from a
 * pool is its function's until it stops: it never goes back.
 */
export class PrewarmSandbox implements Sandbox {
  readonly #pools = new Map<string, RuntimePool>();

  constructor(
    readonly inner: Sandbox & GenericStarter,
    targets: readonly PrewarmTarget[],
    options: PrewarmOptions,
  ) {
    const poolOptions = {
      startTimeoutMs: options.startTimeoutMs,
      warn: options.warn,
      underPressure: () => underMemoryPressure(options.minAvailableBytes),
    };
    for (const { runtime, size, generic } of targets) {
      if (size > 0) this.#pools.set(runtime, new RuntimePool(runtime, size, generic, inner, poolOptions));
    }
  }

  get kind(): Sandbox['kind'] {
    return this.inner.kind;
  }

  get reason(): string {
    const pools = [...this.#pools.values()].map((pool) => `${pool.runtime}=${pool.size}`).join(', ');
    return `${this.inner.reason}; pre-warmed instances: ${pools || 'none'}`;
  }

  stats(): PrewarmStats[] {
    return [...this.#pools.values()].map((pool) => ({
      runtime: pool.runtime,
      ready: pool.readyCount,
      starting: pool.startingCount,
      takes: pool.takes,
      misses: pool.misses,
    }));
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    const pool = this.#pools.get(spec.env.FC_RUNTIME ?? '');
    if (!pool || !servesSpec(pool.runtime, pool.generic, spec)) return this.inner.start(spec);
    const taken = pool.take();
    if (!taken) {
      pool.misses++;
      return this.inner.start(spec);
    }
    const { handle } = taken.instance;
    try {
      await taken.instance.specialize(spec);
      // PWD: bwrap sets it for a normally started instance (`--chdir /code`).
      const env = { ...sandboxEnv(spec), PWD: '/code' };
      await specializeAgent(handle.host, handle.port, taken.token, env, SPECIALIZE_TIMEOUT_MS);
    } catch {
      await handle.stop().catch(() => {});
      pool.misses++;
      return this.inner.start(spec);
    }
    pool.takes++;
    return { ...handle, instanceId: spec.instanceId };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    await this.inner.close();
  }
}
