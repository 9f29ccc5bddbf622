import { sandboxEnv } from '../bwrap-args.js';
import type { InstanceHandle, Sandbox, SandboxSpec } from '../types.js';
import { specializeAgent } from './agent.js';
import { underMemoryPressure } from './memory.js';
import { type GenericStarter, RuntimePool } from './pool.js';
import { type GenericSpec, servesSpec } from './shape.js';

/** One pool: how many instances of `runtime` to keep ready, started from `generic`; `name` labels it. */
export interface PrewarmTarget {
  name: string;
  runtime: string;
  size: number;
  generic: GenericSpec;
}

export interface PrewarmStats {
  /** The pool's name: its runtime, with `:<MB>` for a pool of another memory size than 128 MB. */
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
  /** Per FC runtime, its pools (one per memory size asked for). */
  readonly #pools = new Map<string, RuntimePool[]>();

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
    for (const { name, runtime, size, generic } of targets) {
      if (size <= 0) continue;
      const pools = this.#pools.get(runtime) ?? [];
      pools.push(new RuntimePool(name, size, generic, inner, poolOptions));
      this.#pools.set(runtime, pools);
    }
  }

  get #all(): RuntimePool[] {
    return [...this.#pools.values()].flat();
  }

  get kind(): Sandbox['kind'] {
    return this.inner.kind;
  }

  get reason(): string {
    const pools = this.#all.map((pool) => `${pool.name}=${pool.size}`).join(', ');
    return `${this.inner.reason}; pre-warmed instances: ${pools || 'none'}`;
  }

  stats(): PrewarmStats[] {
    return this.#all.map((pool) => ({
      runtime: pool.name,
      ready: pool.readyCount,
      starting: pool.startingCount,
      takes: pool.takes,
      misses: pool.misses,
    }));
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    const runtime = spec.env.FC_RUNTIME ?? '';
    const serving = this.#pools.get(runtime)?.filter((p) => servesSpec(runtime, p.generic, spec)) ?? [];
    const pool = serving.find((p) => p.readyCount > 0) ?? serving[0];
    if (!pool) return this.inner.start(spec);
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
    await Promise.all(this.#all.map((pool) => pool.close()));
    await this.inner.close();
  }
}
