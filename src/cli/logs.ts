import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type ConnectionFlags, connect } from './connection.js';

interface LogsOptions extends ConnectionFlags {
  requestId?: string;
  since?: string;
  tail?: boolean;
  json?: boolean;
}

interface LogLine {
  id: number;
  time: string;
  requestId: string;
  message: string;
}

const FOLLOW_INTERVAL_MS = 500;

export function registerLogsCommand(program: Command): void {
  program
    .command('logs <service/function>')
    .description("print a function's stored logs; --tail keeps following new lines")
    .option('--request-id <id>', 'only this request')
    .option(
      '--since <when>',
      'from this time on: an ISO time, or a duration back from now (30s, 10m, 2h, 1d)',
    )
    .option('--tail', 'keep printing new lines as they arrive (Ctrl-C to stop)')
    .option('--json', 'one JSON object per line')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string, options: LogsOptions) => {
      const [service, fn] = target.split('/');
      if (!service || !fn) throw new Error(`expected <service>/<function>, got '${target}'`);
      const client = connect(options);
      const query = new URLSearchParams();
      if (options.requestId) query.set('requestId', options.requestId);
      if (options.since) query.set('since', String(parseSince(options.since)));
      let after: number | undefined;
      for (;;) {
        if (after !== undefined) query.set('after', String(after));
        const { logs } = await client.json<{ logs: LogLine[] }>(
          'GET',
          `/services/${service}/functions/${fn}/logs?${query}`,
        );
        for (const line of logs) {
          process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : `${line.message}\n`);
          after = line.id;
        }
        if (!options.tail) return;
        after ??= 0;
        await sleep(FOLLOW_INTERVAL_MS);
      }
    });
}

function parseSince(value: string): number {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return Date.now() - Number(relative[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new Error(`--since '${value}' is neither an ISO time nor a duration like 10m`);
  return time;
}
