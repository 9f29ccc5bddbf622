import { crc64Ecma } from '../code/index.js';
import { type FcClient, FcClientError } from './client.js';
import type { CodePackager, PlanStep } from './deploy/plan.js';
import { Fc3Client } from './fc3-client.js';
import { formatBytes } from './output.js';
import type { ProjectFunction, ProjectService } from './template/index.js';

type Json = Record<string, unknown>;
type Api = Pick<Fc3Client, 'json'>;

/**
 * Plans an FC 3.0 function of a Serverless Devs 3.x s.yaml through the FC 3.0 API (only it creates functions
 * as FC 3.0's, see src/model/fc3.ts): the function, its triggers, then its custom domain through FC 2.0's
 * custom-domain API (its routes name the function as service and function, the same model). Reads only; the
 * steps' `run` does the writes.
 */
export async function planFc3Service(
  client: FcClient,
  service: ProjectService,
  code: CodePackager,
  progress: (line: string) => void,
): Promise<PlanStep[]> {
  const fc3 = new Fc3Client(client.options);
  const steps: PlanStep[] = [];
  for (const fn of service.functions) {
    const name = fn.functionName;
    progress(`zipping ${name}…`);
    const zip = await code(service.serviceName, fn);
    if (zip) progress(`zipped ${name}: ${formatBytes(zip.length)}`);
    steps.push(await functionStep(fc3, fn, zip, progress));
    for (const trigger of fn.triggers) {
      const base = `/functions/${encodeURIComponent(name)}/triggers`;
      const path = `${base}/${encodeURIComponent(trigger.triggerName)}`;
      const desired = {
        triggerType: trigger.triggerType,
        triggerConfig: trigger.triggerConfig,
        ...(trigger.qualifier && { qualifier: trigger.qualifier }),
      };
      // FC 3.0 sends `triggerConfig` as a JSON string both ways.
      const wire = { ...desired, triggerConfig: JSON.stringify(trigger.triggerConfig) };
      const current = await get(fc3, path);
      const label = { kind: 'trigger' as const, name: `${name}/${trigger.triggerName}` };
      if (!current) {
        steps.push({
          ...label,
          change: 'create',
          run: () => fc3.json('POST', base, { triggerName: trigger.triggerName, ...wire }),
        });
      } else if (!matches(desired, { ...current, triggerConfig: parseConfig(current.triggerConfig) })) {
        const { triggerType: _type, ...changes } = wire;
        steps.push({ ...label, change: 'update', run: () => fc3.json('PUT', path, changes) });
      } else {
        steps.push({ ...label, change: 'unchanged' });
      }
    }
  }
  for (const domain of service.customDomains ?? []) {
    const desired = { protocol: domain.protocol, routeConfig: { routes: domain.routes } };
    const path = `/custom-domains/${domain.domainName}`;
    const current = await get(client, path);
    const label = { kind: 'custom domain' as const, name: domain.domainName };
    if (!current) {
      steps.push({
        ...label,
        change: 'create',
        run: () => client.json('POST', '/custom-domains', { domainName: domain.domainName, ...desired }),
      });
    } else if (!matches(desired, current)) {
      steps.push({ ...label, change: 'update', run: () => client.json('PUT', path, desired) });
    } else {
      steps.push({ ...label, change: 'unchanged' });
    }
  }
  return steps;
}

async function functionStep(
  fc3: Fc3Client,
  fn: ProjectFunction,
  zip: Buffer | undefined,
  progress: (line: string) => void,
): Promise<PlanStep> {
  const name = fn.functionName;
  const path = `/functions/${encodeURIComponent(name)}`;
  const current = await get(fc3, path);
  const code = () => {
    if (!zip) return {};
    progress(`uploading ${name} (${formatBytes(zip.length)})…`);
    return { code: { zipFile: zip.toString('base64') } };
  };
  const label = { kind: 'FC 3.0 function' as const, name };
  if (!current) {
    return {
      ...label,
      change: 'create',
      run: () => fc3.json('POST', '/functions', { functionName: name, ...fn.config, ...code() }),
    };
  }
  const codeChanged = zip !== undefined && current.codeChecksum !== crc64Ecma(zip);
  // FC 3.0 answers layers as `[{arn}]`; a template lists ARNs.
  const layers = Array.isArray(current.layers)
    ? current.layers.map((l: unknown) => (l as { arn?: unknown }).arn)
    : current.layers;
  if (!codeChanged && matches(fn.config, { ...current, layers })) return { ...label, change: 'unchanged' };
  return {
    ...label,
    change: 'update',
    ...(codeChanged && { fields: ['code'] }),
    run: () => fc3.json('PUT', path, { ...fn.config, ...(codeChanged ? code() : {}) }),
  };
}

function parseConfig(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function get(api: Api, path: string): Promise<Json | undefined> {
  try {
    return await api.json<Json>('GET', path);
  } catch (error) {
    if (error instanceof FcClientError && error.status === 404) return undefined;
    throw error;
  }
}

/** True when every field the template sets equals the server's (fields it omits are the server's business). */
function matches(desired: unknown, current: unknown): boolean {
  return subset(JSON.parse(JSON.stringify(desired)), current);
}

function subset(desired: unknown, current: unknown): boolean {
  if (Array.isArray(desired))
    return (
      Array.isArray(current) &&
      desired.length === current.length &&
      desired.every((d, i) => subset(d, current[i]))
    );
  if (desired && typeof desired === 'object') {
    if (!current || typeof current !== 'object') return false;
    return Object.entries(desired).every(([k, v]) => subset(v, (current as Json)[k]));
  }
  return desired === current;
}
