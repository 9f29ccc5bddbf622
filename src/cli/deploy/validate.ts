import { existsSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import {
  applyFunctionDefaults,
  checkFunctionConsistency,
  checkTriggerType,
  createCustomDomainBody,
  createFunctionBody,
  createServiceBody,
  type FunctionRecord,
  parseTriggerConfig,
  validateInput,
} from '../../model/index.js';
import { type FcClient, FcClientError } from '../client.js';
import { isLayerFolder } from '../layers.js';
import { CliError, EXIT } from '../output.js';
import type { Project } from '../template/index.js';

/**
 * The fields of each resource as the server will store them (keys matched case-insensitively, as FC does), so
 * a plan compares like with like: a template's `LogConfig: {Project: …}` is the server's `logConfig.project`.
 */
export interface Normalized {
  services: Map<string, Record<string, unknown>>;
  functions: Map<string, Record<string, unknown>>;
  triggers: Map<string, Record<string, unknown>>;
  domains: Map<string, Record<string, unknown>>;
}

/**
 * Checks the whole project before anything is written: every body against the server's own rules, code folders
 * and layer folders on disk, layer ARNs and custom-domain routes against the server (reads only). Every problem
 * is reported at once, as an `InvalidTemplate` error (exit code 2).
 */
export async function validateProject(client: FcClient, project: Project): Promise<Normalized> {
  const problems: string[] = [];
  const normalized: Normalized = {
    services: new Map(),
    functions: new Map(),
    triggers: new Map(),
    domains: new Map(),
  };
  const check = <T>(where: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const root = dirname(project.file);
  const shown = (dir: string) => relative(root, dir) || '.';
  const inTemplate = new Set<string>();
  for (const service of project.services) {
    const s = service.serviceName;
    const body = check(`service ${s}`, () =>
      validateInput(createServiceBody, { serviceName: s, ...service.config }),
    );
    if (body) normalized.services.set(s, without(body, 'serviceName'));
    for (const fn of service.functions) {
      const name = `${s}/${fn.functionName}`;
      inTemplate.add(name);
      const where = `function ${name}`;
      if (fn.codeDir && !existsSync(fn.codeDir))
        problems.push(`${where}: CodeUri ${shown(fn.codeDir)} does not exist`);
      const { layers, ...config } = fn.config;
      const parsed = check(where, () =>
        validateInput(createFunctionBody, { functionName: fn.functionName, ...config }),
      );
      if (parsed) {
        const record = { ...applyFunctionDefaults(parsed), layers, code: fn.codeDir ? {} : undefined };
        check(where, () => checkFunctionConsistency(record as FunctionRecord));
        normalized.functions.set(name, { ...without(parsed, 'functionName'), ...(layers ? { layers } : {}) });
      }
      for (const entry of Array.isArray(layers) ? (layers as string[]) : []) {
        problems.push(...(await checkLayer(client, root, where, entry)));
      }
      for (const trigger of fn.triggers) {
        const t = `trigger ${name}/${trigger.triggerName}`;
        const triggerConfig = check(t, () =>
          parseTriggerConfig(checkTriggerType(trigger.triggerType), trigger.triggerConfig),
        );
        if (triggerConfig) normalized.triggers.set(`${name}/${trigger.triggerName}`, triggerConfig);
      }
    }
  }
  for (const domain of project.customDomains) {
    const where = `custom domain ${domain.domainName}`;
    const body = check(where, () =>
      validateInput(createCustomDomainBody, {
        domainName: domain.domainName,
        protocol: domain.protocol,
        routeConfig: { routes: domain.routes },
      }),
    );
    if (body) normalized.domains.set(domain.domainName, without(body, 'domainName'));
    for (const route of domain.routes) {
      const target = `${route.serviceName}/${route.functionName}`;
      if (inTemplate.has(target)) continue;
      if (!(await exists(client, `/services/${route.serviceName}/functions/${route.functionName}`)))
        problems.push(
          `${where}: route ${route.path}: function ${target} is neither in the template nor on the server`,
        );
    }
  }
  if (problems.length > 0) {
    throw new CliError(
      'InvalidTemplate',
      `${basename(project.file)}: ${problems.length} problem(s); nothing was deployed`,
      EXIT.usage,
      undefined,
      problems,
    );
  }
  return normalized;
}

async function checkLayer(client: FcClient, root: string, where: string, entry: string): Promise<string[]> {
  if (isLayerFolder(entry)) {
    const dir = resolve(root, entry);
    return existsSync(dir) && statSync(dir).isDirectory()
      ? []
      : [`${where}: layer folder ${entry}: ${dir} does not exist`];
  }
  try {
    await client.json('GET', `/layerarn/${encodeURIComponent(entry)}`);
    return [];
  } catch (error) {
    if (error instanceof FcClientError) return [`${where}: layer ${entry}: ${error.message}`];
    throw error;
  }
}

async function exists(client: FcClient, path: string): Promise<boolean> {
  try {
    await client.json('GET', path);
    return true;
  } catch (error) {
    if (error instanceof FcClientError && error.status === 404) return false;
    throw error;
  }
}

function without(body: object, key: string): Record<string, unknown> {
  const { [key]: _omitted, ...rest } = body as Record<string, unknown>;
  return rest;
}
