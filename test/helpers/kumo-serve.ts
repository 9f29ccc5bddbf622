import { type ChildProcess, spawn } from 'node:child_process';
import { until } from './poll.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
}

/**
 * Runs the real `kumo serve` binary (built dist) on a free port with `dataDir`, plus `args` and `env`, and waits
 * until it listens. The caller stops it.
 */
export async function spawnServe(
  dataDir: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [KUMO, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    env: { ...process.env, KUMO_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await until(() => /listening on (\S+)/.exec(output)?.[1], {
    what: 'kumo serve is listening',
    detail: () => output,
  });
  return { child, url, output: () => output };
}
