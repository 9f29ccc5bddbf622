import { crc64Ecma } from '../code/index.js';
import { type FcClient, FcClientError } from './client.js';
import type { CodePackager, DeployResult } from './deploy.js';
import { Fc3Client } from './fc3-client.js';
import type { ProjectFunction, ProjectService } from './template/index.js';

type Change = 'created' | 'updated' | 'unchanged';
type Json = Record<string, unknown>;
type Api = Pick<Fc3Client, 'json'>;

/**
 * Deploys an FC 3.0 function of a Serverless Devs 3.x s.yaml through the FC 3.0 API (only it creates functions
 * as FC 3.0's, see src/model/fc3.ts): the function, its triggers, then its custom domain through FC 2.0's
 * custom-domain API (its routes name the function as service and function, the same model).
 */
export async function deployFc3Service(
  client: FcClient,
  service: ProjectService,
  code: CodePackager,
  record: (kind: string, name: string, change: Change) => void,
  result: DeployResult,
): Promise<void> {
  const fc3 = new Fc3Client(client.options);
  for (const fn of service.functions) {
    const name = fn.functionName;
    const zip = await code(service.serviceName, fn);
    record('FC 3.0 function', name, await deployFunction(fc3, fn, zip));
    for (const trigger of fn.triggers) {
      const path = `/functions/${encodeURIComponent(name)}/triggers/${encodeURIComponent(trigger.triggerName)}`;
      const desired = {
        triggerType: trigger.triggerType,
        triggerConfig: trigger.triggerConfig,
        ...(trigger.qualifier && { qualifier: trigger.qualifier }),
      };
      // FC 3.0 sends `triggerConfig` as a JSON string both ways.
      const wire = { ...desired, triggerConfig: JSON.stringify(trigger.triggerConfig) };
      const current = await get(fc3, path);
      let change: Change = 'unchanged';
      if (!current) {
        await fc3.json('POST', `/functions/${encodeURIComponent(name)}/triggers`, {
          triggerName: trigger.triggerName,
          ...wire,
        });
        change = 'created';
      } else if (!matches(desired, { ...current, triggerConfig: parseConfig(current.triggerConfig) })) {
        const { triggerType: _type, ...changes } = wire;
        await fc3.json('PUT', path, changes);
        change = 'updated';
      }
      record('trigger', `${name}/${trigger.triggerName}`, change);
      if (trigger.triggerType === 'http') {
        const now = await fc3.json<{ httpTrigger?: { urlInternet?: string } }>('GET', path);
        if (now.httpTrigger?.urlInternet) result.urls.push(now.httpTrigger.urlInternet);
      }
    }
  }
  for (const domain of service.customDomains ?? []) {
    const desired = { protocol: domain.protocol, routeConfig: { routes: domain.routes } };
    const path = `/custom-domains/${domain.domainName}`;
    const current = await get(client, path);
    let change: Change = 'unchanged';
    if (!current) {
      await client.json('POST', '/custom-domains', { domainName: domain.domainName, ...desired });
      change = 'created';
    } else if (!matches(desired, current)) {
      await client.json('PUT', path, desired);
      change = 'updated';
    }
    record('custom domain', domain.domainName, change);
  }
}

async function deployFunction(fc3: Fc3Client, fn: ProjectFunction, zip: Buffer | undefined): Promise<Change> {
  const path = `/functions/${encodeURIComponent(fn.functionName)}`;
  const current = await get(fc3, path);
  const code = zip ? { code: { zipFile: zip.toString('base64') } } : {};
  if (!current) {
    await fc3.json('POST', '/functions', { functionName: fn.functionName, ...fn.config, ...code });
    return 'created';
  }
  const codeChanged = zip !== undefined && current.codeChecksum !== crc64Ecma(zip);
  // FC 3.0 answers layers as `[{arn}]`; a template lists ARNs.
  const layers = Array.isArray(current.layers)
    ? current.layers.map((l: unknown) => (l as { arn?: unknown }).arn)
    : current.layers;
  if (!codeChanged && matches(fn.config, { ...current, layers })) return 'unchanged';
  await fc3.json('PUT', path, { ...fn.config, ...(codeChanged ? code : {}) });
  return 'updated';
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
