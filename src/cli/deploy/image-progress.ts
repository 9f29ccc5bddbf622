import type { FcClient } from '../client.js';
import type { DeployPlan } from './plan.js';

type ImageAnswer = {
  customContainerConfig?: { image?: string; accelerationInfo?: { status?: string; message?: string } };
};

/** How long `kumo deploy` follows one image pull on a terminal before leaving it to the first call. */
const FOLLOW_MS = 10 * 60_000;

/**
 * On a terminal: follows the server's pull of each custom-container image the deploy created or changed
 * (FC's `accelerationInfo`: Preparing → Ready or Failed), so a long pull is not silent. The deploy itself is
 * done by then; Ctrl-C stops only the following, and the first call waits for a pull still under way.
 */
export async function followImagePulls(
  client: FcClient,
  plan: DeployPlan,
  progress: (line: string) => void,
  options: { pollMs?: number; followMs?: number } = {},
): Promise<void> {
  const changed = new Set(plan.steps.filter((s) => s.kind === 'function' && s.run).map((s) => s.name));
  for (const service of plan.project.services) {
    for (const fn of service.functions) {
      const name = `${service.serviceName}/${fn.functionName}`;
      if (fn.config.runtime !== 'custom-container' || !changed.has(name)) continue;
      await followOne(client, name, progress, options.pollMs ?? 500, options.followMs ?? FOLLOW_MS);
    }
  }
}

async function followOne(
  client: FcClient,
  name: string,
  progress: (line: string) => void,
  pollMs: number,
  followMs: number,
): Promise<void> {
  const [service, fn] = name.split('/');
  const started = Date.now();
  let said = '';
  while (Date.now() - started < followMs) {
    const answer = await client.json<ImageAnswer>('GET', `/services/${service}/functions/${fn}`);
    const image = answer.customContainerConfig?.image ?? '';
    const info = answer.customContainerConfig?.accelerationInfo;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (info?.status === 'Ready') return progress(`image ${image} for ${name}: ready (${seconds} s)`);
    if (info?.status === 'Failed') {
      return progress(`image ${image} for ${name}: pull failed: ${info.message ?? 'no reason given'}`);
    }
    const line = `pulling image ${image} for ${name}…${info?.message ? ` ${info.message}` : ''}`;
    if (line !== said) progress(line);
    said = line;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  progress(`image for ${name}: still preparing; the first call waits for it`);
}
