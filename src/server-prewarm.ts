import type { Logger } from 'pino';
import type { KumoConfig } from './config.js';
import { type Metrics, watchPrewarm } from './metrics/index.js';
import { genericSpec, type RuntimeRegistry } from './runtimes/index.js';
import {
  BwrapSandbox,
  PrewarmSandbox,
  type PrewarmTarget,
  parsePrewarm,
  type Sandbox,
} from './sandbox/index.js';

/**
 * Wraps the process sandbox in the pre-warmed pools `config.prewarm` asks for (docs/prewarm.md). Pools need the
 * bwrap sandbox as root (the code is bound into a running instance); elsewhere, and for runtimes this machine
 * cannot serve, Kumo says why and starts instances as usual.
 */
export async function withPrewarmPools(
  processes: Sandbox,
  runtimes: RuntimeRegistry,
  config: KumoConfig,
  logger: Logger,
  metrics: Metrics,
): Promise<Sandbox> {
  const wanted = parsePrewarm(config.prewarm).filter((target) => target.size > 0);
  if (wanted.length === 0) return processes;
  if (!(processes instanceof BwrapSandbox) || !processes.canStartGeneric) {
    logger.warn(`pre-warmed pools (${config.prewarm}) need the bwrap sandbox, root and python3: not started`);
    return processes;
  }
  const targets: PrewarmTarget[] = [];
  for (const { name, runtime, size, memoryMb } of wanted) {
    try {
      const generic = await genericSpec(runtimes, runtime, config.instancePidsLimit, memoryMb);
      targets.push({ name, runtime, size, generic });
    } catch (error) {
      logger.warn(`no pre-warmed ${name} pool: ${(error as Error).message}`);
    }
  }
  const pools = new PrewarmSandbox(processes, targets, {
    startTimeoutMs: config.instanceStartTimeoutMs,
    warn: (message) => logger.warn(message),
  });
  watchPrewarm(metrics.registry, () => pools.stats());
  return pools;
}
