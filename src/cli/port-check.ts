import { createServer } from 'node:net';
import { UsageError } from './output.js';

/**
 * Fails with a clear message when `host:port` is taken, before the server builds anything (sandbox rules,
 * instance pools) that a failed listen would leave behind. Port 0 (any free port) is always fine.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `port ${port} on ${host} is already in use`,
            `stop what listens there, or choose another port: kumo serve --port <port> (or KUMO_PORT)`,
            'PortInUse',
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new UsageError(`not allowed to listen on port ${port}`, 'choose a port above 1023', 'PortDenied'),
        );
      } else reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
