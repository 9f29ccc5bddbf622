import { connect } from 'node:net';

// A refused connect costs microseconds; polling often keeps the wait after the listen() short.
const POLL_MS = 2;

/** Resolves once a TCP connection to host:port succeeds; rejects with the last connect error when `signal` aborts. */
export async function waitForPort(host: string, port: number, signal: AbortSignal): Promise<void> {
  let lastError = 'not tried';
  while (!signal.aborted) {
    const error = await tryConnect(host, port);
    if (!error) return;
    lastError = error;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`dial tcp ${host}:${port}: ${lastError}`);
}

function tryConnect(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('connect timed out');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message);
    });
  });
}
