import { type ChildProcess, spawn } from 'node:child_process';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID } from './server.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;

/** The environment that points the `kumo` CLI at a test server (and away from the user's own config). */
export function cliEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUMO_ENDPOINT: endpoint,
    KUMO_ACCESS_KEY_ID: ACCESS_KEY_ID,
    KUMO_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    KUMO_ACCOUNT_ID: ACCOUNT_ID,
    KUMO_CONFIG: '/nonexistent/kumo-config.json',
  };
}

/** Runs the built `kumo` binary to completion. */
export function runKumo(
  args: string[],
  options: { endpoint: string; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = startKumo(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function startKumo(
  args: string[],
  options: { endpoint: string; cwd?: string; env?: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, [KUMO, ...args], {
    cwd: options.cwd,
    env: { ...cliEnv(options.endpoint), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
