import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { crc64Ecma, zipDirectory } from '../code/index.js';
import { type FcClient, FcClientError } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { readFcIgnore } from './fcignore.js';
import { type Project, type ProjectFunction, readTemplate } from './template/index.js';

type Change = 'created' | 'updated' | 'unchanged';

interface DeployOptions extends ConnectionFlags {
  template?: string;
  json?: boolean;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description(
      'create or update services, functions, triggers and custom domains from template.yml or s.yaml',
    )
    .option(
      '-t, --template <file>',
      'template file (default: template.yml, template.yaml, s.yaml in this folder)',
    )
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT, default http://127.0.0.1:8780)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from (default ./.kumo)')
    .option('--json', 'print the result as JSON')
    .action(async (options: DeployOptions) => {
      const project = readTemplate(process.cwd(), options.template);
      const client = connect(options);
      const say = options.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
      const result = await deploy(client, project, say);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const changed = result.resources.filter((r) => r.change !== 'unchanged').length;
      say(
        changed === 0
          ? 'Nothing changed: every resource already matches the template.'
          : `Done: ${changed} resource(s) created or updated.`,
      );
      for (const url of result.urls) say(`HTTP trigger: ${url}`);
    });
}

export interface DeployResult {
  resources: { kind: string; name: string; change: Change }[];
  urls: string[];
}

/** Applies a project: each resource is created, updated (only the fields the template sets) or left alone. */
export async function deploy(
  client: FcClient,
  project: Project,
  say: (line: string) => void,
): Promise<DeployResult> {
  const result: DeployResult = { resources: [], urls: [] };
  const record = (kind: string, name: string, change: Change) => {
    result.resources.push({ kind, name, change });
    say(`${change === 'unchanged' ? '·' : '✓'} ${kind} ${name}: ${change}`);
  };
  for (const service of project.services) {
    const s = service.serviceName;
    record(
      'service',
      s,
      await upsert(
        client,
        `/services/${s}`,
        '/services',
        { serviceName: s, ...service.config },
        service.config,
      ),
    );
    for (const fn of service.functions) {
      record('function', `${s}/${fn.functionName}`, await deployFunction(client, s, fn));
      for (const trigger of fn.triggers) {
        const base = `/services/${s}/functions/${fn.functionName}/triggers`;
        const desired = {
          triggerType: trigger.triggerType,
          triggerConfig: trigger.triggerConfig,
          ...(trigger.qualifier && { qualifier: trigger.qualifier }),
        };
        const change = await upsert(
          client,
          `${base}/${trigger.triggerName}`,
          base,
          { triggerName: trigger.triggerName, ...desired },
          desired,
        );
        record('trigger', `${s}/${fn.functionName}/${trigger.triggerName}`, change);
        if (trigger.triggerType === 'http') {
          const current = await client.json<{ urlInternet?: string }>(
            'GET',
            `${base}/${trigger.triggerName}`,
          );
          if (current.urlInternet) result.urls.push(current.urlInternet);
        }
      }
    }
  }
  for (const domain of project.customDomains) {
    const desired = { protocol: domain.protocol, routeConfig: { routes: domain.routes } };
    const change = await upsert(
      client,
      `/custom-domains/${domain.domainName}`,
      '/custom-domains',
      { domainName: domain.domainName, ...desired },
      desired,
    );
    record('custom domain', domain.domainName, change);
  }
  return result;
}

/** A CodeUri folder zipped; a `.zip` or `.jar` file (a Java function's built jar) uploaded as it is, as FC does. */
async function packCode(codeUri: string): Promise<Buffer> {
  if (/\.(zip|jar)$/i.test(codeUri) && statSync(codeUri, { throwIfNoEntry: false })?.isFile()) {
    return readFileSync(codeUri);
  }
  return zipDirectory(codeUri, readFcIgnore(codeUri));
}

async function deployFunction(client: FcClient, serviceName: string, fn: ProjectFunction): Promise<Change> {
  const path = `/services/${serviceName}/functions/${fn.functionName}`;
  const zip = fn.codeDir ? await packCode(fn.codeDir) : undefined;
  const current = await get(client, path);
  const code = zip ? { code: { zipFile: zip.toString('base64') } } : {};
  if (!current) {
    await client.json('POST', `/services/${serviceName}/functions`, {
      functionName: fn.functionName,
      ...fn.config,
      ...code,
    });
    return 'created';
  }
  const codeChanged = zip !== undefined && current.codeChecksum !== crc64Ecma(zip);
  if (!codeChanged && matches(fn.config, current)) return 'unchanged';
  await client.json('PUT', path, { ...fn.config, ...(codeChanged ? code : {}) });
  return 'updated';
}

/** Creates the resource, or updates it when a field the template sets differs from the server's. */
async function upsert(
  client: FcClient,
  path: string,
  createPath: string,
  createBody: object,
  desired: Record<string, unknown>,
): Promise<Change> {
  const current = await get(client, path);
  if (!current) {
    await client.json('POST', createPath, createBody);
    return 'created';
  }
  if (matches(desired, current)) return 'unchanged';
  await client.json('PUT', path, desired);
  return 'updated';
}

async function get(client: FcClient, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await client.json<Record<string, unknown>>('GET', path);
  } catch (error) {
    if (error instanceof FcClientError && error.status === 404) return undefined;
    throw error;
  }
}

/** True when every field of `desired` equals the same field of `current` (fields the template omits are ignored). */
function matches(desired: unknown, current: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(current) &&
      desired.length === current.length &&
      desired.every((d, i) => matches(d, current[i]))
    );
  }
  if (desired && typeof desired === 'object') {
    if (!current || typeof current !== 'object') return false;
    return Object.entries(desired).every(([k, v]) => matches(v, (current as Record<string, unknown>)[k]));
  }
  return desired === current;
}
