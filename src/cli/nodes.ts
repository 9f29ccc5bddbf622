import type { Command } from 'commander';
import { type ConnectionFlags, connect } from './connection.js';

interface NodesOptions extends ConnectionFlags {
  json?: boolean;
}

interface NodeLine {
  name: string;
  url: string;
  startedTime: string;
  lastSeenTime: string;
  state: string;
}

/** `kumo nodes`: the nodes of the cluster behind the endpoint (one line for a single node on SQLite). */
export function registerNodesCommand(program: Command): void {
  program
    .command('nodes')
    .description('list the Kumo nodes sharing this endpoint’s store, alive or dead (missed heartbeats)')
    .option('--json', 'print the answer as JSON')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (options: NodesOptions) => {
      const answer = await connect(options).json<{ store: string; self: string; nodes: NodeLine[] }>(
        'GET',
        '/kumo/nodes',
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      const rows = answer.nodes.map((node) => [
        node.name === answer.self ? `${node.name} *` : node.name,
        node.state,
        node.url,
        `started ${node.startedTime}`,
        `seen ${node.lastSeenTime}`,
      ]);
      const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
      process.stdout.write(`store: ${answer.store} (* answered this request)\n`);
      for (const row of rows)
        process.stdout.write(
          `${row
            .map((cell, col) => cell.padEnd(widths[col] ?? 0))
            .join('  ')
            .trimEnd()}\n`,
        );
    });
}
