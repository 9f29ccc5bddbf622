import { SandboxError } from './errors.js';
import type { InstanceHandle, Sandbox, SandboxSpec } from './types.js';

/**
 * One `Sandbox` for the scheduler: specs with an `image` go to the container sandbox (runc), the others to the
 * process sandbox (bwrap or plain). When containers cannot run here, starting one is a clear error: an image
 * is never run without isolation.
 */
export class CompositeSandbox implements Sandbox {
  constructor(
    readonly processes: Sandbox,
    /** The container sandbox, or the reason why there is none. */
    readonly containers: Sandbox | string,
  ) {}

  get kind(): Sandbox['kind'] {
    return this.processes.kind;
  }

  get reason(): string {
    return `${this.processes.reason}; containers: ${this.containerReason ?? this.#containerSandbox?.reason}`;
  }

  /** Why custom-container instances cannot start here, or undefined when they can. */
  get containerReason(): string | undefined {
    return typeof this.containers === 'string' ? `unavailable: ${this.containers}` : undefined;
  }

  get #containerSandbox(): Sandbox | undefined {
    return typeof this.containers === 'string' ? undefined : this.containers;
  }

  start(spec: SandboxSpec): Promise<InstanceHandle> {
    if (!spec.image) return this.processes.start(spec);
    const containers = this.#containerSandbox;
    if (!containers) {
      return Promise.reject(
        new SandboxError(`container images cannot run on this server: ${this.containers as string}`),
      );
    }
    return containers.start(spec);
  }

  async close(): Promise<void> {
    await Promise.all([this.processes.close(), this.#containerSandbox?.close()]);
  }
}
