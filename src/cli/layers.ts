import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { zipDirectory } from '../code/index.js';
import type { FcClient } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { UsageError } from './output.js';
import { listAll } from './resources.js';

export interface LayerAnswer {
  layerName: string;
  version: number;
  description?: string;
  codeSize: number;
  codeChecksum: string;
  compatibleRuntime?: string[];
  arnV2: string;
  acl?: number;
}

const CONNECTION_OPTIONS = [
  ['--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)'],
  ['--data-dir <dir>', 'a local server data dir to read credentials from'],
] as const;

/** `kumo layer publish|ls|rm`: FC's layer calls from the command line. */
export function registerLayerCommands(program: Command): void {
  const layer = program
    .command('layer')
    .description('publish, list and delete layers (shared files at /opt)');
  const withConnection = (command: Command) => {
    for (const [flag, text] of CONNECTION_OPTIONS) command.option(flag, text);
    return command;
  };

  withConnection(
    layer
      .command('publish <dir>')
      .description(
        "zip a folder (e.g. with nodejs/node_modules/ or python/) and publish it as the layer's next version",
      )
      .requiredOption('-n, --name <name>', 'layer name')
      .option('-r, --runtime <runtimes...>', 'compatible runtimes (e.g. nodejs20 python3.10)', [])
      .option('-d, --description <text>', 'description of this version')
      .option('--json', 'print the published version as JSON'),
  ).action(
    async (
      dir: string,
      options: ConnectionFlags & { name: string; runtime: string[]; description?: string; json?: boolean },
    ) => {
      const client = connect(options);
      const zip = await zipLayerFolder(resolve(dir));
      const published = await publishLayer(client, options.name, zip, options.runtime, options.description);
      if (options.json) return void process.stdout.write(`${JSON.stringify(published, null, 2)}\n`);
      process.stdout.write(
        `published ${published.layerName} version ${published.version}: ${published.arnV2}\n`,
      );
    },
  );

  withConnection(
    layer
      .command('ls [name]')
      .description('list layers (each with its newest version), or the versions of one layer')
      .option('--json', 'print JSON'),
  ).action(async (name: string | undefined, options: ConnectionFlags & { json?: boolean }) => {
    const client = connect(options);
    const layers = name
      ? await layerVersions(client, name)
      : await listAll<LayerAnswer>(client, '/layers', 'layers');
    if (options.json) return void process.stdout.write(`${JSON.stringify(layers, null, 2)}\n`);
    for (const l of layers) {
      const runtimes = (l.compatibleRuntime ?? []).join(',');
      process.stdout.write(
        `${l.layerName.padEnd(24)} ${String(l.version).padStart(4)}  ${String(l.codeSize).padStart(9)} B  ${runtimes.padEnd(20)} ${l.arnV2}\n`,
      );
    }
  });

  withConnection(
    layer
      .command('rm <name|arn> [version]')
      .description(
        'delete a layer version, by name and version or by ARN (functions using it keep it, as on FC)',
      ),
  ).action(async (target: string, version: string | undefined, options: ConnectionFlags) => {
    const fromArn = /:layers\/([^/]+)\/versions\/([^/]+)$/.exec(target);
    const [name, number] = fromArn ? [fromArn[1] ?? '', fromArn[2] ?? ''] : [target, version];
    if (!number)
      throw new UsageError('give the version to delete: kumo layer rm <name> <version>, or the ARN');
    const client = connect(options);
    await client.json('DELETE', `/layers/${encodeURIComponent(name)}/versions/${encodeURIComponent(number)}`);
    process.stdout.write(`deleted layer ${name} version ${number}\n`);
  });
}

export async function zipLayerFolder(dir: string): Promise<Buffer> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`layer folder ${dir} does not exist`);
  return zipDirectory(dir);
}

async function publishLayer(
  client: FcClient,
  name: string,
  zip: Buffer,
  runtimes: string[],
  description?: string,
): Promise<LayerAnswer> {
  return client.json<LayerAnswer>('POST', `/layers/${encodeURIComponent(name)}/versions`, {
    code: { zipFile: zip.toString('base64') },
    compatibleRuntime: runtimes,
    ...(description !== undefined && { description }),
  });
}

/** Every visible version of a layer, oldest first. */
async function layerVersions(client: FcClient, name: string): Promise<LayerAnswer[]> {
  const versions: LayerAnswer[] = [];
  let start: number | undefined = 1;
  while (start !== undefined) {
    const page: { layers: LayerAnswer[]; nextVersion?: number } = await client.json(
      'GET',
      `/layers/${encodeURIComponent(name)}/versions?startVersion=${start}&limit=100`,
    );
    versions.push(...page.layers);
    start = page.nextVersion;
  }
  return versions;
}

/** A template's layer entry that names a local folder rather than an ARN. */
export const isLayerFolder = (entry: string): boolean => !entry.startsWith('acs:');

/** The layer name a folder publishes as: its base name, made a valid FC layer name. */
export function layerNameOf(dir: string): string {
  const name = basename(dir)
    .replace(/[^a-zA-Z0-9_-]/g, '-')
    .slice(0, 64);
  return /^[a-zA-Z_]/.test(name) ? name : `_${name}`.slice(0, 64);
}
