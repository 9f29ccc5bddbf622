import { applyFunctionDefaults, DEFAULTS, type FunctionRecord, LIMITS } from '../model/index.js';
import { type GenericSpec, poolCommand } from '../sandbox/index.js';
import type { RuntimeRegistry } from './registry.js';

/**
 * The spec a pre-warmed instance of `runtime` starts from: what StartRecipes would build for a function of that
 * runtime with FC's defaults (`memoryMb`, else 128 MB; CAPort 9000, internet access, no layers) and no variables
 * of its own; its environment is the runtime's defaults only (the function's arrives at specialisation). The
 * runtime's `prepare` step runs as for a start (a Node.js major other than Kumo's own is installed, once). go1's
 * bridge is started without the function's executable (it runs it once specialised).
 */
export async function genericSpec(
  runtimes: RuntimeRegistry,
  runtime: string,
  pidsLimit: number,
  memoryMb: number = DEFAULTS.memorySize,
): Promise<GenericSpec> {
  runtimes.check(runtime);
  const definition = runtimes.resolve(runtime);
  const unavailable = definition.prewarmUnavailableReason?.();
  if (unavailable) throw new Error(unavailable);
  const fn: FunctionRecord = {
    ...applyFunctionDefaults({ runtime, handler: 'index.handler', memorySize: memoryMb }),
    functionName: 'prewarm',
    serviceName: 'prewarm',
    functionId: 'prewarm',
    runtime,
    code: null,
    createdTime: '',
    lastModifiedTime: '',
  };
  const command = definition.command(fn);
  const spec = {
    instanceId: 'prewarm',
    codeDir: '-',
    command: poolCommand(runtime, command, fn.handler) ?? command,
    env: { ...definition.env?.(fn) },
    port: DEFAULTS.caPort,
    memoryMb: fn.memorySize,
    internetAccess: true,
    pidsLimit,
    tmpSizeMb: LIMITS.tmpSizeMb,
    readOnlyMounts: definition.mounts ?? [],
  };
  const prepared = definition.prepare ? await definition.prepare(fn, spec, () => {}) : spec;
  const { instanceId: _id, codeDir: _code, ...generic } = prepared;
  return generic;
}
