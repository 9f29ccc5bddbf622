import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FcError } from '../model/index.js';

export interface ConnectionLimits {
  /** Open connections from one client address; more are answered 429 and closed. */
  maxPerClient: number;
  /** Open connections in total; at the cap the oldest idle one makes room, or the newcomer gets 429. */
  maxTotal: number;
}

/**
 * Caps concurrent connections per client address and in total, so clients holding sockets open cannot
 * exhaust the server's file descriptors. Timeouts (headers, request, keep-alive) are Node's own, set on the
 * server at creation; this is the part Node does not have.
 *
 * At the total cap, the oldest connection with no request in flight (an idle or slowloris socket) is closed
 * to admit the new one: a flood of idle sockets from many addresses cannot lock out the next client (or a
 * health check), and a call being served is never cut. Only when every connection is busy is the newcomer
 * refused.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  const perClient = new Map<string, number>();
  /** Accepted and not yet closed, oldest first (a Set keeps insertion order). */
  const open = new Set<Socket>();
  const inFlight = new WeakMap<Socket, number>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    response.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
  });
  const evictIdle = (): boolean => {
    for (const socket of open) {
      if ((inFlight.get(socket) ?? 0) > 0) continue;
      open.delete(socket);
      socket.destroy();
      return true;
    }
    return false;
  };

  // The HTTP server's own listener (which attaches the parser) only sees accepted sockets: a refused one
  // never has a request parsed, let alone handled.
  const accept = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const held = perClient.get(client) ?? 0;
    if (held >= limits.maxPerClient) return refuse(socket, 'from your address');
    if (open.size >= limits.maxTotal && !evictIdle()) return refuse(socket, 'in total');
    perClient.set(client, held + 1);
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
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
