import type { Command } from 'commander';
import { type ConnectionFlags, connect } from './connection.js';
import { printJson, UsageError } from './output.js';
import { listAll } from './resources.js';

interface Options extends ConnectionFlags {
  json?: boolean;
  description?: string;
  weight?: string;
}

interface VersionRow {
  versionId: string;
  description?: string;
  createdTime?: string;
}

interface AliasRow {
  aliasName: string;
  versionId: string;
  description?: string;
  additionalVersionWeight?: Record<string, number>;
}

const connectionOptions = (command: Command): Command =>
  command
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from');

/** `kumo publish`, `kumo versions`, `kumo alias set|ls`: releasing a service (deploys only ever touch LATEST). */
export function registerReleaseCommands(program: Command): void {
  connectionOptions(
    program
      .command('publish <service>')
      .description("publish the service's current functions (config and code) as a new immutable version")
      .option('-d, --description <text>', 'what this version is')
      .option('--json', 'print the published version as JSON'),
  ).action(async (service: string, options: Options) => {
    const version = await connect(options).json<VersionRow>('POST', `/services/${service}/versions`, {
      description: options.description ?? '',
    });
    if (options.json) return printJson(version);
    process.stdout.write(`published ${service} version ${version.versionId}\n`);
  });

  connectionOptions(
    program
      .command('versions <service>')
      .description('list published versions, newest first')
      .option('--json'),
  ).action(async (service: string, options: Options) => {
    const versions = await listAll<VersionRow>(connect(options), `/services/${service}/versions`, 'versions');
    if (options.json) return void process.stdout.write(`${JSON.stringify(versions, null, 2)}\n`);
    for (const v of versions) {
      process.stdout.write(`${v.versionId.padEnd(6)} ${v.createdTime ?? ''}  ${v.description ?? ''}\n`);
    }
  });

  const alias = program.command('alias').description('point names (prod, canary …) at versions');
  connectionOptions(
    alias
      .command('set <service> <alias> <version>')
      .description('create or move an alias; --weight 2=0.1 sends 10% of its calls to version 2')
      .option('--weight <version=share>', 'an additional version and the share of calls it gets')
      .option('-d, --description <text>', 'what the alias is for')
      .option('--json', 'print the saved alias as JSON'),
  ).action(async (service: string, name: string, versionId: string, options: Options) => {
    const client = connect(options);
    const body = {
      versionId,
      additionalVersionWeight: parseWeight(options.weight),
      ...(options.description !== undefined && { description: options.description }),
    };
    const existing = await client.send('GET', `/services/${service}/aliases/${name}`);
    const saved =
      existing.status === 200
        ? await client.json<AliasRow>('PUT', `/services/${service}/aliases/${name}`, body)
        : await client.json<AliasRow>('POST', `/services/${service}/aliases`, { aliasName: name, ...body });
    if (options.json) return printJson(saved);
    process.stdout.write(`${service}.${saved.aliasName} → ${describe(saved)}\n`);
  });

  connectionOptions(
    alias.command('ls <service>').description("list a service's aliases").option('--json'),
  ).action(async (service: string, options: Options) => {
    const aliases = await listAll<AliasRow>(connect(options), `/services/${service}/aliases`, 'aliases');
    if (options.json) return void process.stdout.write(`${JSON.stringify(aliases, null, 2)}\n`);
    for (const a of aliases) process.stdout.write(`${a.aliasName.padEnd(16)} ${describe(a)}\n`);
  });
}

/** `2=0.1` → `{"2": 0.1}`; the server checks the version and the share. */
function parseWeight(weight: string | undefined): Record<string, number> {
  if (weight === undefined) return {};
  const match = /^(\d+)=([0-9.]+)$/.exec(weight.trim());
  if (!match) throw new UsageError(`--weight must be <version>=<share>, such as 2=0.1, not '${weight}'`);
  return { [match[1] as string]: Number(match[2]) };
}

function describe(alias: AliasRow): string {
  const extra = Object.entries(alias.additionalVersionWeight ?? {})
    .map(([v, w]) => ` + version ${v} (${Math.round(w * 100)}%)`)
    .join('');
  return `version ${alias.versionId}${extra}`;
}
