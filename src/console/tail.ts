import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogStore } from '../logs/index.js';
import { FcError } from '../model/index.js';
import { sessionIdOf } from './request-auth.js';
import type { ConsoleSessions } from './sessions.js';

export interface TailLimits {
  perSession: number;
  total: number;
  pollMs: number;
  heartbeatMs: number;
  /** A tail ends after this long; the page offers to start it again (so an open tab does not hold a session). */
  maxMs: number;
}

export const DEFAULT_TAIL_LIMITS: TailLimits = {
  perSession: 4,
  total: 64,
  pollMs: 500,
  heartbeatMs: 15_000,
  maxMs: 15 * 60_000,
};

interface Tail {
  sessionId: string;
  end(reason: string): void;
}

/**
 * Live log tails as server-sent events over a fetch (an EventSource cannot send the console header). Each tail
 * polls the log store with a cursor; it ends when the client goes, its session ends, the server closes or its
 * time is up. A slow reader is not written to until it has drained.
 */
export class LogTails {
  readonly #logs: LogStore;
  readonly #sessions: ConsoleSessions;
  readonly #limits: TailLimits;
  readonly #open = new Set<Tail>();

  constructor(logs: LogStore, sessions: ConsoleSessions, limits: TailLimits = DEFAULT_TAIL_LIMITS) {
    this.#logs = logs;
    this.#sessions = sessions;
    this.#limits = limits;
  }

  open(
    request: FastifyRequest,
    reply: FastifyReply,
    target: { serviceName: string; functionName: string },
  ): FastifyReply {
    const sessionId = sessionIdOf(request.headers) ?? '';
    const mine = [...this.#open].filter((t) => t.sessionId === sessionId).length;
    if (mine >= this.#limits.perSession || this.#open.size >= this.#limits.total) {
      throw new FcError('LimitExceeded', 'too many live log tails are open; close one first');
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-fc-request-id': request.id,
    });
    raw.write(': tail started\n\n');
    const startedAt = Date.now();
    let after: number | undefined;
    let lastWrite = startedAt;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const tail: Tail = {
      sessionId,
      end: (reason) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        this.#open.delete(tail);
        if (!raw.destroyed) raw.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      },
    };
    this.#open.add(tail);
    raw.on('close', () => tail.end('closed'));
    const write = (text: string) => {
      lastWrite = Date.now();
      return raw.write(text);
    };
    const tick = async () => {
      if (ended) return;
      const now = Date.now();
      if (!this.#sessions.isLive(sessionId, now)) return tail.end('signed out');
      if (now - startedAt >= this.#limits.maxMs) return tail.end('time limit');
      let drained = true;
      try {
        const lines = await this.#logs.query({ ...target, since: startedAt, after, limit: 500 });
        for (const line of lines) {
          after = line.id;
          const event = {
            id: line.id,
            time: new Date(line.time).toISOString(),
            requestId: line.requestId,
            instanceId: line.instanceId,
            qualifier: line.qualifier,
            message: line.message,
          };
          drained = write(`data: ${JSON.stringify(event)}\n\n`) && drained;
        }
        if (Date.now() - lastWrite >= this.#limits.heartbeatMs)
          drained = write(': keep-alive\n\n') && drained;
      } catch {
        return tail.end('log store unavailable');
      }
      if (ended) return;
      const next = () => {
        if (!ended) timer = setTimeout(() => void tick(), this.#limits.pollMs);
      };
      if (drained) next();
      else raw.once('drain', next);
    };
    timer = setTimeout(() => void tick(), 0);
    return reply;
  }

  closeAll(): void {
    for (const tail of [...this.#open]) tail.end('server closing');
  }
}
