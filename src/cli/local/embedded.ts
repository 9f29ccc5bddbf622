import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type ConfigInput, loadConfig } from '../../config.js';
import { type KumoServer, startServer } from '../../server.js';
import { clientFor, type FcClient } from '../client.js';

export interface EmbeddedKumo {
  server: KumoServer;
  /** Signed with the key generated for this run (it lives only in the temporary data dir). */
  client: FcClient;
  dataDir: string;
  /** Stops every instance and the server, then removes the data dir. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: string;
  sandbox?: string;
}

/**
 * Starts a Kumo server inside this process on a fresh temporary data dir (named after our pid like every other
 * host resource), with a key generated for this run only. Nothing is shared with a `kumo serve` that may be
 * running: `kumo local` never touches its data.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedKumo> {
  const dataDir = mkdtempSync(join(tmpdir(), `kumo-${process.pid}-local-`));
  let server: KumoServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      try {
        await server?.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };
  try {
    // The user's own server settings (KUMO_DATA_DIR, KUMO_PORT, keys) do not apply to this throwaway server.
    const env = { ...process.env };
    for (const name of ['KUMO_DATA_DIR', 'KUMO_PORT', 'KUMO_ACCESS_KEY_ID', 'KUMO_ACCESS_KEY_SECRET'])
      delete env[name];
    const config = loadConfig(env, {
      dataDir,
      port: options.port ?? 0,
      host: '127.0.0.1',
      sandbox: options.sandbox as ConfigInput['sandbox'],
    });
    // Only the server's warnings, on stderr: stdout carries the function's result.
    server = await startServer(config, pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true })));
    return { server, client: clientFor(server.url, server.credentials), dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs `work` against an embedded Kumo and always stops it: on return, on error, and on Ctrl-C or SIGTERM
 * (then the process exits 130/143 once everything is cleaned up).
 */
export async function withEmbedded<T>(
  options: EmbeddedOptions,
  work: (kumo: EmbeddedKumo) => Promise<T>,
): Promise<T> {
  const kumo = await startEmbedded(options);
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nkumo: ${signal}: stopping the local server and removing ${kumo.dataDir}\n`);
    kumo.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(kumo);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await kumo.stop();
  }
}
