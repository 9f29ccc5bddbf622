import type { IncomingMessage } from 'node:http';
import type { Command } from 'commander';
import { WebSocket } from 'ws';
import { sign } from '../api/index.js';
import { type FcClient, FcClientError } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { UsageError } from './output.js';

interface ExecOptions extends ConnectionFlags {
  qualifier?: string;
  stdin?: boolean;
}

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

/** `kumo instances <service/function>` lists; `kumo instances exec …` runs a command in one (instanceExec). */
export function registerInstanceCommands(program: Command): void {
  // The parent's options are read before `exec` only, so `exec --qualifier` stays exec's own.
  program.enablePositionalOptions();
  const instances = program
    .command('instances')
    .enablePositionalOptions()
    .argument('[service/function]')
    .description("list a function's running instances (FC's listInstances); `exec` runs a command in one")
    .option('-q, --qualifier <qualifier>', 'LATEST (default), a version or an alias')
    .option('--json', 'print the answer as JSON')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string | undefined, options: InstancesOptions) => {
      const [service, fn] = (target ?? '').split('/');
      if (!service || !fn) throw new UsageError(`expected <service>/<function>, got '${target}'`);
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
  registerExecCommand(instances);
}

function registerExecCommand(instances: Command): void {
  instances
    .command('exec <service/function> <instanceId> <command...>')
    .description(
      'run a command inside a live instance (its sandbox, uid and limits), as FC instanceExec does; ' +
        'the id is the x-fc-instance-id of an invoke answer. Example: kumo instances exec svc/fn i-abc -- ls /code',
    )
    .option('--qualifier <q>', 'version or alias (default LATEST)')
    .option('--stdin', "forward this terminal's stdin to the command")
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string, instanceId: string, command: string[], options: ExecOptions) => {
      const [service, fn] = target.split('/');
      if (!service || !fn) throw new UsageError(`expected <service>/<function>, got '${target}'`);
      process.exitCode = await execInInstance(connect(options), {
        service,
        fn,
        instanceId,
        command,
        ...options,
      });
    });
}

/** Opens FC's exec WebSocket, prints the command's output, resolves with its exit status. */
function execInInstance(
  client: FcClient,
  o: {
    service: string;
    fn: string;
    instanceId: string;
    command: string[];
    qualifier?: string;
    stdin?: boolean;
  },
): Promise<number> {
  const path = `/2016-08-15/services/${o.service}/functions/${o.fn}/instances/${o.instanceId}/exec`;
  const query = new URLSearchParams({ stdin: String(Boolean(o.stdin)), stderr: 'true', tty: 'false' });
  for (const part of o.command) query.append('command', part);
  if (o.qualifier) query.set('qualifier', o.qualifier);
  const { endpoint, accessKeyId, accessKeySecret, accountId } = client.options;
  const headers: Record<string, string> = { date: new Date().toUTCString(), 'x-fc-account-id': accountId };
  headers.authorization = `FC ${accessKeyId}:${sign(accessKeySecret, 'GET', headers, path)}`;
  const ws = new WebSocket(`${endpoint.replace(/^http/, 'ws')}${path}?${query}`, { headers });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_request: unknown, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The server refused the exec (no such instance, bad key…): an API error, printed like every other.
      response.on('end', () =>
        reject(
          FcClientError.from({
            status: response.statusCode ?? 500,
            headers: {},
            body: Buffer.concat(chunks),
          }),
        ),
      );
    });
    ws.on('open', () => {
      if (!o.stdin) return;
      process.stdin.on('data', (chunk: Buffer) => ws.send(Buffer.concat([Buffer.of(0), chunk])));
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) process.stdout.write(data.subarray(1));
      else if (data[0] === 2) process.stderr.write(data.subarray(1));
    });
    ws.on('error', (error: Error) => {
      process.stderr.write(`kumo: ${error.message}\n`);
      resolve(1);
    });
    ws.on('close', (_code: number, reason: Buffer) => {
      if (o.stdin) process.stdin.pause();
      const status = /^exit status (\d+)$/.exec(reason.toString());
      resolve(status ? Number(status[1]) : reason.toString() === '' ? 0 : 1);
    });
  });
}
