import cluster from 'node:cluster';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { type ConfigInput, type KumoConfig, loadConfig } from '../config.js';
import { SERVE_PREWARM_DEFAULT } from '../sandbox/index.js';
import { startServer } from '../server.js';
import {
  assertWorkersSupported,
  resolveWorkerCount,
  runPrimary,
  WorkerSeam,
  workerConfig,
  workerIndexOf,
} from '../workers/index.js';
import { runDemo } from './demo.js';
import { assertPortFree } from './port-check.js';
import { printBanner } from './serve-banner.js';
import { chooseLogFormat, type LogFormat, serverLogger } from './server-output.js';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  sandbox?: string;
  store?: string;
  workers?: string;
  demo?: boolean;
  logFormat?: string;
  prewarm?: string;
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
      '--prewarm <pools>',
      `pre-warmed instances per runtime, e.g. nodejs20=2,nodejs20:512=1,python3.10=1 (:MB: for functions of that memory size); 0 for none (env KUMO_PREWARM, default ${SERVE_PREWARM_DEFAULT})`,
    )
    .option('--log-format <format>', 'pretty | json (default: pretty on a terminal, JSON lines otherwise)')
    .option(
      '--store <url>',
      'postgres://… to share one PostgreSQL between nodes (env KUMO_STORE_URL, default SQLite)',
    )
    .option(
      '--workers <n>',
      'processes sharing the port, each a cluster node; N > 1 needs --store (env KUMO_WORKERS, default 1; auto: one per core)',
    )
    .option('--demo', 'deploy the bundled example and invoke it once after start')
    .action(async (options: ServeOptions) => {
      const config = loadConfig(process.env, {
        port: options.port,
        host: options.host,
        dataDir: options.dataDir,
        sandbox: options.sandbox as ConfigInput['sandbox'],
        storeUrl: options.store,
        workers: options.workers as ConfigInput['workers'],
        prewarm:
          options.prewarm ?? (process.env.KUMO_PREWARM === undefined ? SERVE_PREWARM_DEFAULT : undefined),
      });
      const format = chooseLogFormat(options.logFormat, process.stdout.isTTY === true);
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      const logger = serverLogger(format, config.logLevel, process.stdout, color);
      const worker = cluster.isWorker ? workerIndexOf(process.env) : undefined;
      if (worker) {
        const seam = new WorkerSeam(worker.index);
        await serveOne(workerConfig(config, worker.index, worker.count), logger, format, options, seam);
        return;
      }
      const count = resolveWorkerCount(config.workers);
      if (count > 1) {
        assertWorkersSupported(config, count);
        await assertPortFree(config.host, config.port);
        process.exit(await runPrimary(config, count, logger));
      }
      await assertPortFree(config.host, config.port);
      await serveOne(config, logger, format, options);
    });
}

/** One Kumo node in this process: the whole server, or one worker of `--workers N` (`seam`). */
async function serveOne(
  config: KumoConfig,
  logger: Logger,
  format: LogFormat,
  options: ServeOptions,
  seam?: WorkerSeam,
): Promise<void> {
  const server = await startServer(config, logger, seam);
  // Workers: the first prints the banner, the primary names them all.
  const print = !seam || seam.index === 1 ? printBanner(format, server, config, logger) : undefined;
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
  const dataDir = resolve(config.dataDir) === resolve('.kumo') ? undefined : config.dataDir;
  if (options.demo && print) await runDemo(server, print, { dataDir });
}
