import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The FC error code the request was answered with, for the request line. */
    fcErrorCode?: string;
  }
}

/** Operator endpoints a scraper or probe calls every few seconds: their lines are debug, not info. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const PATH_CHARS_MAX = 256;

/**
 * One line per request once its answer is sent (method, path, status, duration, request id, FC error code),
 * and the HTTP metrics by route pattern: never the raw path, so a client cannot grow the label set.
 */
export function registerRequestLog(app: FastifyInstance, deps: ApiDeps): void {
  const { logger, metrics } = deps;
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    metrics?.httpRequest(request.method, route, reply.statusCode, durationMs);
    const probe = PROBES.has(route);
    if (!logger.isLevelEnabled(probe ? 'debug' : 'info')) return done();
    const raw = request.originalUrl;
    const query = raw.indexOf('?');
    let path = query === -1 ? raw : raw.slice(0, query);
    if (path.length > PATH_CHARS_MAX) path = `${path.slice(0, PATH_CHARS_MAX)}…`;
    const line = {
      event: 'request',
      method: request.method,
      path,
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      requestId: request.id,
      errorCode: request.fcErrorCode,
      errorType: reply.getHeader('x-fc-error-type'),
    };
    if (probe) logger.debug(line, 'request');
    else logger.info(line, 'request');
    done();
  });
}
