import type { Command } from 'commander';
import { type ConnectionFlags, connect } from './connection.js';

interface InstancesOptions extends ConnectionFlags {
  qualifier?: string;
  json?: boolean;
}

interface InstanceLine {
  instanceId: string;
  versionId: string;
  state: string;
  startTime: string;
  inFlight: number;
  provisioned: boolean;
}

export function registerInstancesCommand(program: Command): void {
  program
    .command('instances <service/function>')
    .description("list a function's running instances (FC's listInstances)")
    .option('-q, --qualifier <qualifier>', 'LATEST (default), a version or an alias')
    .option('--json', 'print the answer as JSON')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string, options: InstancesOptions) => {
      const [service, fn] = target.split('/');
      if (!service || !fn) throw new Error(`expected <service>/<function>, got '${target}'`);
      const ref = options.qualifier ? `${service}.${options.qualifier}` : service;
      const { instances } = await connect(options).json<{ instances: InstanceLine[] }>(
        'GET',
        `/services/${encodeURIComponent(ref)}/functions/${encodeURIComponent(fn)}/instances`,
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(instances, null, 2)}\n`);
        return;
      }
      if (instances.length === 0) {
        process.stdout.write(`no instances of ${target}\n`);
        return;
      }
      const rows = instances.map((i) => [
        i.instanceId,
        `version ${i.versionId}`,
        i.state,
        i.provisioned ? 'provisioned' : 'on-demand',
        `started ${i.startTime}`,
      ]);
      const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
      for (const row of rows)
        process.stdout.write(
          `${row
            .map((cell, col) => cell.padEnd(widths[col] ?? 0))
            .join('  ')
            .trimEnd()}\n`,
        );
    });
}
