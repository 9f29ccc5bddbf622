import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessKey } from '../api/auth.js';
import { authorizeRequest } from '../api/authorize.js';
import { API_PREFIX, type ApiDeps } from '../api/context.js';
import { resolveTarget } from '../invoke/index.js';
import { FcError, invalidArgument, parseJsonObject } from '../model/index.js';
import { type MetricsHistory, metricsAnswer } from './metrics.js';
import { consoleKeyOf, isConsoleRequest, sessionIdOf } from './request-auth.js';
import type { ConsoleSessions } from './sessions.js';
import { LogTails } from './tail.js';

export interface ConsoleDeps {
  sessions: ConsoleSessions;
  /** The per-minute history behind the metrics charts, when the server keeps one. */
  metrics?: { history: MetricsHistory };
}

type FunctionParams = { Params: { service: string; function: string } };

const signInSchema = z.object({
  accessKeyId: z.string().min(1).max(256),
  accessKeySecret: z.string().min(1).max(1024),
});

/** The console's own routes: sign-in/out, who is signed in, the live log tail and the metrics history. */
export function registerConsoleRoutes(app: FastifyInstance, api: ApiDeps, deps: ConsoleDeps): void {
  const { sessions } = deps;
  const tails = new LogTails(api.logs, sessions);
  app.addHook('preClose', async () => tails.closeAll());

  /** The key behind the request's session, checked against what the equivalent FC route would need. */
  const authorize = (request: FastifyRequest, method: string, route: string): AccessKey => {
    const key = isConsoleRequest(request.headers) ? consoleKeyOf(request.headers, sessions) : undefined;
    if (key === undefined)
      throw new FcError('AccessDenied', `console requests need the x-kumo-console header`);
    authorizeRequest(key, {
      method,
      route: `${API_PREFIX}${route}`,
      params: request.params as Record<string, string | undefined>,
    });
    return key;
  };

  app.post('/console/session', async (request, reply) => {
    // Login CSRF: another site must not sign a visitor in to an account of its choosing.
    if (!isConsoleRequest(request.headers)) {
      throw new FcError('AccessDenied', 'console requests need the x-kumo-console header');
    }
    const parsed = signInSchema.safeParse(
      parseJsonObject(Buffer.isBuffer(request.body) ? request.body : undefined),
    );
    if (!parsed.success) throw invalidArgument('accessKeyId and accessKeySecret are required strings');
    // A session id the client brought is never adopted (fixation): it is ended, and a fresh one issued.
    sessions.signOut(sessionIdOf(request.headers));
    const session = sessions.signIn(request.ip, parsed.data.accessKeyId, parsed.data.accessKeySecret);
    // The token goes in the body, never in a cookie: the page keeps it in memory and sends it as a header, so
    // nothing ambient lets a function's page on this origin act as the person (docs/console.md).
    reply.header('cache-control', 'no-store');
    return {
      token: session.id,
      accessKeyId: session.accessKeyId,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  });

  app.get('/console/session', async (request, reply) => {
    const key = authorize(request, 'GET', '/account-settings');
    reply.header('cache-control', 'no-store');
    return {
      accessKeyId: sessions.keyOf(sessionIdOf(request.headers))?.accessKeyId,
      accountId: api.credentials.accountId,
      region: api.config.region,
      scopedToService: key.serviceName ?? null,
    };
  });

  app.delete('/console/session', async (request, reply) => {
    if (!isConsoleRequest(request.headers)) {
      throw new FcError('AccessDenied', 'console requests need the x-kumo-console header');
    }
    sessions.signOut(sessionIdOf(request.headers));
    return reply.status(204).send();
  });

  app.get<FunctionParams>('/console/services/:service/functions/:function/tail', async (request, reply) => {
    authorize(request, 'GET', '/services/:service/functions/:function/logs');
    const { fn } = await resolveTarget(api.store, {
      serviceRef: request.params.service,
      functionName: request.params.function,
    });
    return tails.open(request, reply, { serviceName: fn.serviceName, functionName: fn.functionName });
  });

  app.get<FunctionParams>(
    '/console/services/:service/functions/:function/metrics',
    async (request, reply) => {
      authorize(request, 'GET', '/services/:service/functions/:function');
      const { fn } = await resolveTarget(api.store, {
        serviceRef: request.params.service,
        functionName: request.params.function,
      });
      if (deps.metrics === undefined) {
        throw new FcError('NotSupported', 'this server keeps no metrics history');
      }
      reply.header('cache-control', 'no-store');
      return metricsAnswer(deps.metrics.history, fn.serviceName, fn.functionName, 60);
    },
  );
}
