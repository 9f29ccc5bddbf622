import { FcError, type FunctionRecord, invalidArgument, isKnownRuntime } from '../model/index.js';
import type { SandboxSpec } from '../sandbox/index.js';
import { CUSTOM_ENV } from './environment.js';

/** How one FC runtime name is served. Every runtime is started as a custom runtime (DESIGN.md §1). */
export interface RuntimeDefinition {
  readonly names: readonly string[];
  /** What serves it on this machine, for `kumo doctor` (e.g. `node 20.20.2`). */
  readonly interpreter?: string;
  /** What serves one of `names` when that differs per name (`Node.js v14.21.3 (…)`); default `interpreter`. */
  interpreterFor?(runtime: string): string;
  /** Host folders the instance needs besides its code (an agent), mounted read-only. */
  readonly mounts?: readonly { hostPath: string; sandboxPath: string }[];
  /**
   * When this machine serves `runtime` on another version than the name promises, says so in one sentence
   * (`python3.9 runs on Python 3.11.7: …`); undefined when the version is the real one. Kumo shows it in the
   * create/update log, `kumo deploy`, `kumo doctor` and once in the function's log at instance start.
   */
  substitution?(runtime: string): string | undefined;
  /** Why this machine cannot serve the runtime, or undefined when it can. */
  unavailableReason(): string | undefined;
  /** argv of the instance's server, as the instance sees paths (code at /code). */
  command(fn: FunctionRecord): string[];
  /** FC's default environment of this runtime's instances (docs/environment.md); the function's own wins. */
  env?(fn: FunctionRecord): Readonly<Record<string, string>>;
  /**
   * Completes an instance's spec when starting needs more than `command` (a container image to pull): gets
   * the spec built from the function and returns the one to start. `log` writes to the function's log.
   */
  prepare?(fn: FunctionRecord, spec: SandboxSpec, log: (message: string) => void): Promise<SandboxSpec>;
  /** Why this machine cannot pre-warm the runtime although it serves it (docs/prewarm.md), or undefined. */
  prewarmUnavailableReason?(): string | undefined;
}

export const CUSTOM: RuntimeDefinition = {
  names: ['custom', 'custom.debian10', 'custom.debian11'],
  interpreter: 'your bootstrap',
  unavailableReason: () => undefined,
  env: () => CUSTOM_ENV,
  command(fn) {
    const custom = fn.customRuntimeConfig;
    if (custom?.command?.length) return [...custom.command, ...(custom.args ?? [])];
    return ['/code/bootstrap', ...(custom?.args ?? [])];
  },
};

export interface RuntimeDescription {
  name: string;
  available: boolean;
  interpreter?: string;
  reason?: string;
  /** Set when the name runs on another version (`RuntimeDefinition.substitution`). */
  substitution?: string;
}

export class RuntimeRegistry {
  readonly #byName = new Map<string, RuntimeDefinition>();

  constructor(definitions: readonly RuntimeDefinition[]) {
    for (const definition of definitions) {
      for (const name of definition.names) this.#byName.set(name, definition);
    }
  }

  /** Throws a 400 naming the problem when `runtime` cannot be served here. */
  check(runtime: string): void {
    if (!isKnownRuntime(runtime)) throw invalidArgument(`Runtime is set to an invalid value: '${runtime}'`);
    const definition = this.#byName.get(runtime);
    if (!definition) {
      throw invalidArgument(`runtime '${runtime}' is an FC runtime this Kumo server does not serve yet`);
    }
    const reason = definition.unavailableReason();
    if (reason) throw invalidArgument(`runtime '${runtime}' cannot run on this server: ${reason}`);
  }

  resolve(runtime: string): RuntimeDefinition {
    const definition = this.#byName.get(runtime);
    if (!definition) throw new FcError('InvalidArgument', `runtime '${runtime}' is not served by this Kumo`);
    return definition;
  }

  /**
   * The sentence saying that `runtime` runs on another version than its name promises, or undefined (unknown
   * runtimes and runtimes served on their own version alike).
   */
  substitution(runtime: string): string | undefined {
    return this.#byName.get(runtime)?.substitution?.(runtime);
  }

  /** Each served runtime name with its availability and any version substitution, for `kumo doctor`. */
  describe(): RuntimeDescription[] {
    return [...this.#byName.entries()].map(([name, definition]) => {
      const reason = definition.unavailableReason();
      const substitution = reason ? undefined : definition.substitution?.(name);
      const interpreter = definition.interpreterFor?.(name) ?? definition.interpreter;
      return {
        name,
        available: !reason,
        interpreter,
        ...(reason && { reason }),
        ...(substitution && { substitution }),
      };
    });
  }
}
