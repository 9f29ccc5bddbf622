import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { FcClient } from './client.js';
import { type ConnectionFlags, connect } from './connection.js';
import { UsageError } from './output.js';

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
const PAGE = 1000;

export function registerLogsCommand(program: Command): void {
  program
    .command('logs <service/function>')
    .description("print a function's stored logs; --tail keeps following new lines")
    .option('--request-id <id>', 'only this request')
    .option(
      '--since <when>',
      'from this time on: an ISO time, or a duration back from now (30s, 10m, 2h, 1d)',
    )
    .option('--tail', 'follow new lines from now on (with --since: from then on); Ctrl-C to stop')
    .option('--json', 'one JSON object per line')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string, options: LogsOptions) => {
      const [service, fn] = target.split('/');
      if (!service || !fn) throw new UsageError(`expected <service>/<function>, got '${target}'`);
      const client = connect(options);
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (options.requestId) query.set('requestId', options.requestId);
      if (options.since) query.set('since', String(parseSince(options.since)));
      const path = `/services/${service}/functions/${fn}/logs`;
      const print = (line: LogLine) =>
        process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : `${line.message}\n`);
      // `--tail` alone follows from now, as `tail -f` does, rather than replaying the whole history first.
      const skipHistory = options.tail && !options.since && !options.requestId;
      let after = await readPages(client, path, query, undefined, skipHistory ? () => undefined : print);
      while (options.tail) {
        await sleep(FOLLOW_INTERVAL_MS);
        after = await readPages(client, path, query, after, print);
      }
    });
}

/** Reads every line after `after` (page by page) and returns the id of the last one. */
async function readPages(
  client: FcClient,
  path: string,
  query: URLSearchParams,
  after: number | undefined,
  print: (line: LogLine) => void,
): Promise<number | undefined> {
  for (;;) {
    if (after !== undefined) query.set('after', String(after));
    const { logs } = await client.json<{ logs: LogLine[] }>('GET', `${path}?${query}`);
    for (const line of logs) {
      print(line);
      after = line.id;
    }
    if (logs.length < PAGE) return after ?? 0;
  }
}

function parseSince(value: string): number {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return Date.now() - Number(relative[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`--since '${value}' is neither an ISO time nor a duration like 10m`);
  return time;
}
