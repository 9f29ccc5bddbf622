import { request } from 'node:http';
import { SandboxError } from '../errors.js';

/** Asks a pre-warmed agent to become the function whose whole environment is `env` (runtimes/nodejs/prewarm.cjs). */
export function specializeAgent(
  host: string,
  port: number,
  token: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const body = JSON.stringify({ env });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method: 'POST',
        path: '/kumo/specialize',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Kumo-Prewarm-Token': token,
        },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204
            ? resolve()
            : reject(new SandboxError(`the pre-warmed agent refused to specialise (${res.statusCode})`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new SandboxError('the pre-warmed agent did not answer')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves once the agent answers (a pre-warmed agent refuses everything but its specialisation: 503). */
export async function waitForAgent(host: string, port: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const status = await new Promise<number>((resolve) => {
      const req = request({ host, port, path: '/', agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
      req.end();
    });
    if (status === 503) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new SandboxError(`the pre-warmed agent on ${host}:${port} did not start`);
}
