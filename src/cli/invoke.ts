import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FcClientError } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { printJson, UsageError } from './output.js';

interface InvokeOptions extends ConnectionFlags {
  event?: string;
  eventFile?: string;
  stdin?: boolean;
  qualifier?: string;
  async?: boolean;
  json?: boolean;
}

export function registerInvokeCommand(program: Command): void {
  program
    .command('invoke <service/function>')
    .description('invoke a function synchronously and print its result, logs and billing line')
    .option('-e, --event <event>', 'event payload')
    .option('-f, --event-file <file>', 'read the event from a file')
    .option('-s, --stdin', 'read the event from standard input')
    .option('--qualifier <qualifier>', 'version or alias', 'LATEST')
    .option('--async', 'queue the call (HTTP 202) and print its request id instead of waiting')
    .option('--json', 'print {requestId, errorType, result, logs} as JSON')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT, default http://127.0.0.1:8780)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from (default ./.kumo)')
    .action(async (target: string, options: InvokeOptions) => {
      const [service, fn] = target.split('/');
      if (!service || !fn) throw new UsageError(`expected <service>/<function>, got '${target}'`);
      const event = options.eventFile
        ? readFileSync(options.eventFile)
        : options.stdin
          ? readFileSync(0)
          : Buffer.from(options.event ?? '');
      const client = connect(options);
      const path = `/services/${service}.${options.qualifier}/functions/${fn}/invocations`;
      if (options.async) {
        const queued = await client.send('POST', path, event, { 'x-fc-invocation-type': 'Async' });
        if (queued.status !== 202) throw FcClientError.from(queued);
        const requestId = queued.headers['x-fc-request-id'];
        if (options.json) return printJson({ requestId, queued: true });
        process.stdout.write(`queued: request id ${requestId}\n`);
        return;
      }
      const response = await client.send(
        'POST',
        `/services/${service}.${options.qualifier}/functions/${fn}/invocations`,
        event,
        { 'x-fc-log-type': 'Tail' },
      );
      const errorType = response.headers['x-fc-error-type'];
      // No error type: the server refused the call itself (no such function, bad key…), not the function.
      if (response.status >= 300 && !errorType) throw FcClientError.from(response);
      const logs = Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString();
      if (errorType) process.exitCode = 1;
      if (options.json) {
        const requestId = response.headers['x-fc-request-id'];
        process.stdout.write(
          `${JSON.stringify({ requestId, errorType, result: response.body.toString(), logs })}\n`,
        );
        return;
      }
      if (logs) {
        process.stdout.write(
          `========= FC invoke Logs begin =========\n${logs}========= FC invoke Logs end =========\n\n`,
        );
      }
      process.stdout.write(`FC Invoke Result:\n${response.body.toString()}\n`);
    });
}
