import type { Command } from 'commander';
import { pino } from 'pino';
import { type ConfigInput, loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { runDemo } from './demo.js';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  sandbox?: string;
  store?: string;
  demo?: boolean;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the Kumo server (API on --port, default 8780; data in --data-dir, default ./.kumo)')
    .option('-p, --port <port>', 'port to listen on (env KUMO_PORT, default 8780)')
    .option('--host <host>', 'address to bind (env KUMO_HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'where metadata, code and logs live (env KUMO_DATA_DIR, default ./.kumo)')
    .option('--sandbox <kind>', 'auto | bwrap | process (env KUMO_SANDBOX, default auto)')
    .option(
      '--store <url>',
      'postgres://… to share one PostgreSQL between nodes (env KUMO_STORE_URL, default SQLite)',
    )
    .option('--demo', 'deploy the bundled example and invoke it once after start')
    .action(async (options: ServeOptions) => {
      const config = loadConfig(process.env, {
        port: options.port,
        host: options.host,
        dataDir: options.dataDir,
        sandbox: options.sandbox as ConfigInput['sandbox'],
        storeUrl: options.store,
      });
      const logger = pino({ level: config.logLevel });
      const server = await startServer(config, logger);
      const print = (line: string) => process.stdout.write(`${line}\n`);
      print(
        `Kumo is listening on ${server.url}  (account ${server.credentials.accountId}, region ${config.region})`,
      );
      print(`Sandbox: ${server.sandbox.kind} (${server.sandbox.reason})`);
      if (server.credentials.generated) {
        print('');
        print('Generated an access key for this server (saved in the data dir, mode 0600); shown only once:');
        print(`  KUMO_ACCESS_KEY_ID=${server.credentials.accessKeyId}`);
        print(`  KUMO_ACCESS_KEY_SECRET=${server.credentials.accessKeySecret}`);
      }
      print('');
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info(`${signal}: draining in-flight requests and stopping instances`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      if (options.demo) await runDemo(server, print);
    });
}
