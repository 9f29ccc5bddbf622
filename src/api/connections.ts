import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { FcError } from '../model/index.js';

export interface ConnectionLimits {
  /** Open connections from one client address; more are answered 429 and closed. */
  maxPerClient: number;
  /** Open connections in total. */
  maxTotal: number;
}

/**
 * Caps concurrent connections per client address and in total, so a client holding sockets open cannot
 * exhaust the server's file descriptors. Timeouts (headers, request, keep-alive) are Node's own, set on the
 * server at creation; this is the part Node does not have per client.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  const perClient = new Map<string, number>();
  let total = 0;
  // The HTTP server's own listener (which attaches the parser) only sees accepted sockets: a refused one
  // never has a request parsed, let alone handled.
  const accept = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const held = perClient.get(client) ?? 0;
    if (held >= limits.maxPerClient || total >= limits.maxTotal) {
      refuse(socket, held >= limits.maxPerClient ? 'from your address' : 'in total');
      return;
    }
    perClient.set(client, held + 1);
    total++;
    socket.once('close', () => {
      total--;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    });
    for (const listener of accept) listener.call(server, socket);
  });
}

/** Answers FC's error at once (the client may read it before its request is even sent) and closes. */
function refuse(socket: Socket, scope: string): void {
  const requestId = randomUUID();
  const error = new FcError(
    'TooManyConnections',
    `too many open connections ${scope}; close idle ones and retry`,
  );
  const body = JSON.stringify(error.toBody(requestId));
  socket.on('error', () => {}); // the client may already be gone; nothing to do about it
  socket.end(
    `HTTP/1.1 ${error.status} Too Many Requests\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nx-fc-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}
