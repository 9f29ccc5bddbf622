import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogStore } from '../logs/index.js';
import { FcError, LIMITS } from '../model/index.js';
import type { RuntimeRegistry } from '../runtimes/index.js';
import type { SandboxSpec } from '../sandbox/index.js';
import type { InstanceRecipe } from '../scheduler/index.js';
import { instanceEnv, type TemporaryCredentials } from './context.js';
import type { CallRequest } from './lifecycle.js';

/** Where platform lines go that belong to no call's log capture yet (an instance's start: image pulls). */
export type PlatformLog = Pick<LogStore, 'append'>;

export interface RecipeDeps {
  runtimes: RuntimeRegistry;
  /** Host directory of a code package's unpacked files. */
  codeDir(sha256: string): Promise<string>;
  /**
   * Host directory of a function's layers (ARNs, in its order) merged as FC merges them, with `reserved`
   * paths (relative to `/opt`) left as empty directories for the runtime's own mounts. Fails with
   * LayerNotFound when a layer is gone.
   */
  layersDir?(layerArns: readonly string[], reserved: readonly string[]): Promise<string>;
  logs: PlatformLog;
  region: string;
  accountId: string;
  pidsLimit: number;
}

/**
 * Builds the recipe an instance of a function starts from: its code directory (unpacked again if the cache was
 * removed), its runtime's command, its environment (with the instance's credentials), the sandbox limits, and a
 * container runtime's `prepare` step (the image pull). Built only when the scheduler grants a start.
 */
export class StartRecipes {
  readonly #deps: RecipeDeps;

  constructor(deps: RecipeDeps) {
    this.#deps = deps;
  }

  async build(
    request: CallRequest,
    instanceId: string,
    credentials: TemporaryCredentials,
  ): Promise<InstanceRecipe> {
    const { fn, service, qualifier, versionId } = request;
    const runtime = this.#deps.runtimes.resolve(fn.runtime);
    // A runtime with a `prepare` step (custom-container) brings its own filesystem: no code package needed.
    if (!fn.code && !runtime.prepare) {
      throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code`);
    }
    const codeDir = fn.code ? await this.#deps.codeDir(fn.code.sha256) : '';
    const command = runtime.command(fn);
    if (!runtime.prepare) await checkBootstrap(codeDir, command);
    const readOnlyMounts = await this.#mounts(fn.layers ?? [], runtime.mounts ?? []);
    const { region, accountId } = this.#deps;
    const spec: SandboxSpec = {
      instanceId,
      codeDir,
      command,
      env: instanceEnv(
        { fn, service, qualifier, versionId, region, accountId, credentials },
        instanceId,
        runtime.env?.(fn),
      ),
      port: fn.caPort,
      memoryMb: fn.memorySize,
      cpuCores: fn.cpu,
      internetAccess: service.internetAccess !== false,
      pidsLimit: this.#deps.pidsLimit,
      tmpSizeMb: LIMITS.tmpSizeMb,
      readOnlyMounts,
    };
    const logMeta = { serviceName: service.serviceName, functionName: fn.functionName, qualifier };
    // Platform lines of the start (image pulls) go to the function's log, under the request that caused it.
    const log = (message: string) =>
      this.#deps.logs.append({
        time: Date.now(),
        ...logMeta,
        requestId: request.requestId,
        instanceId,
        message,
      });
    // Once per instance: the runtime name promises another version than the one this instance runs.
    const substitution = runtime.substitution?.(fn.runtime);
    if (substitution) log(`Kumo: ${substitution}`);
    return { spec: runtime.prepare ? await runtime.prepare(fn, spec, log) : spec, logMeta };
  }

  /**
   * The runtime's mounts, then the layers at `/opt` (last: a path under a runtime mount resolves to that mount
   * first; the sandbox mounts a parent before its children, so a runtime's agents stay over the layers).
   */
  async #mounts(
    layers: readonly string[],
    runtimeMounts: NonNullable<SandboxSpec['readOnlyMounts']>,
  ): Promise<SandboxSpec['readOnlyMounts']> {
    if (layers.length === 0) return runtimeMounts;
    if (!this.#deps.layersDir) throw new FcError('InternalServerError', 'this server cannot mount layers');
    const reserved = runtimeMounts
      .filter((m) => m.sandboxPath.startsWith(`${LAYERS_MOUNT}/`))
      .map((m) => m.sandboxPath.slice(LAYERS_MOUNT.length + 1));
    const hostPath = await this.#deps.layersDir(layers, reserved);
    return [...runtimeMounts, { hostPath, sandboxPath: LAYERS_MOUNT }];
  }
}

/** Where FC puts a function's layers. */
const LAYERS_MOUNT = '/opt';

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
