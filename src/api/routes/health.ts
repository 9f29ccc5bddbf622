import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FcError } from '../../model/index.js';
import type { ApiDeps } from '../context.js';

/** Unsigned operator endpoints: `/healthz` (the process answers), `/readyz` (it can serve), `/metrics`. */
export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const reasons = (await deps.notReady?.()) ?? [];
    if (reasons.length === 0) return { status: 'ready' };
    return reply.status(503).send({ status: 'not ready', reasons });
  });

  const { metrics } = deps;
  if (!metrics) return;
  const token = deps.config.metricsToken;
  const expected = token === undefined ? undefined : digest(token);
  app.get('/metrics', async (request, reply) => {
    if (expected && !matches(expected, request.headers.authorization)) {
      const error = new FcError(
        'AccessDenied',
        'GET /metrics needs "Authorization: Bearer <KUMO_METRICS_TOKEN>"',
      );
      request.fcErrorCode = error.code;
      return reply
        .status(error.status)
        .header('www-authenticate', 'Bearer realm="kumo-metrics"')
        .type('application/json')
        .send(error.toBody(request.id));
    }
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant time whatever the length: both sides are hashed to 32 bytes before comparing. */
function matches(expected: Buffer, authorization: string | undefined): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return timingSafeEqual(expected, digest(match?.[1] ?? '')) && match !== null;
}
