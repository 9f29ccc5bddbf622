import type { Command } from 'commander';
import { crc64Ecma } from '../code/index.js';
import { buildProject, codePackager, runActions } from './build/index.js';
import { buildSettings } from './build-command.js';
import { type FcClient, FcClientError } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { deployFc3Service } from './deploy-fc3.js';
import { publishTemplateLayers } from './layers.js';
import { type Project, type ProjectFunction, readTemplate } from './template/index.js';

type Change = 'created' | 'updated' | 'unchanged';

interface DeployOptions extends ConnectionFlags {
  template?: string;
  json?: boolean;
  build?: boolean;
  timeout?: string;
}

/** Zips (or reads) a function's code package; undefined for a custom container. */
export type CodePackager = (serviceName: string, fn: ProjectFunction) => Promise<Buffer | undefined>;

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
    .option('--build', 'run `kumo build` first (dependencies installed in the runtime sandbox)')
    .option('--timeout <seconds>', 'stop a build command or s.yaml action after this long (default 600)')
    .action(async (options: DeployOptions) => {
      const project = readTemplate(process.cwd(), options.template);
      const client = connect(options);
      const say = options.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
      // Build output goes to stderr under --json, so stdout stays one JSON document.
      const progress = options.json ? (line: string) => process.stderr.write(`${line}\n`) : say;
      const settings = buildSettings(project.file, options.timeout, progress);
      await runActions(project, 'pre-deploy', settings);
      if (options.build) await buildProject(project, settings);
      const warn = (line: string) => process.stderr.write(`kumo: warning: ${line}\n`);
      const result = await deploy(client, project, say, codePackager(project, progress, warn));
      await runActions(project, 'post-deploy', settings);
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
  /** Functions whose runtime runs on another version than its name says, and the server's sentence. */
  notes: { function: string; note: string }[];
}

/** The server's `x-kumo-runtime-note` for a function (its runtime runs on another version), if any. */
async function runtimeNote(client: FcClient, path: string): Promise<string | undefined> {
  const response = await client.send('GET', path);
  const note = response.headers['x-kumo-runtime-note'];
  return response.status === 200 && note ? decodeURIComponent(note) : undefined;
}

/** Applies a project: each resource is created, updated (only the fields the template sets) or left alone. */
export async function deploy(
  client: FcClient,
  project: Project,
  say: (line: string) => void,
  code: CodePackager,
): Promise<DeployResult> {
  const result: DeployResult = { resources: [], urls: [], notes: [] };
  const record = (kind: string, name: string, change: Change) => {
    result.resources.push({ kind, name, change });
    say(`${change === 'unchanged' ? '·' : '✓'} ${kind} ${name}: ${change}`);
  };
  // Layer folders named in the template are published first, so functions can list them by ARN.
  await publishTemplateLayers(client, project, record);
  for (const service of project.services) {
    if (service.fcVersion === 'v3') {
      await deployFc3Service(client, service, code, record, result);
      continue;
    }
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
      const zip = await code(s, fn);
      record('function', `${s}/${fn.functionName}`, await deployFunction(client, s, fn, zip));
      const note = await runtimeNote(client, `/services/${s}/functions/${fn.functionName}`);
      if (note) {
        result.notes.push({ function: `${s}/${fn.functionName}`, note });
        say(`  ! ${note}`);
      }
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

async function deployFunction(
  client: FcClient,
  serviceName: string,
  fn: ProjectFunction,
  zip: Buffer | undefined,
): Promise<Change> {
  const path = `/services/${serviceName}/functions/${fn.functionName}`;
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
