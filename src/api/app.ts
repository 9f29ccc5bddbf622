import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  ConsoleSessions,
  consoleKeyOf,
  registerConsoleAssets,
  registerConsoleRoutes,
} from '../console/index.js';
import { FcError, LIMITS } from '../model/index.js';
import { type AccessKey, checkContentMd5, verifyFcSignature } from './auth.js';
import { authorizeRequest } from './authorize.js';
import { drainBounded, payloadTooLarge } from './body-limit.js';
import { limitConnections } from './connections.js';
import { API_PREFIX, type ApiDeps } from './context.js';
import { FC3_PREFIX, fc3Plugin } from './fc3/plugin.js';
import { registerRequestLog } from './request-log.js';
import { checkRequestTarget } from './request-path.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerAsyncConfigRoutes } from './routes/async-configs.js';
import { registerAsyncInvocationRoutes } from './routes/async-invocations.js';
import { registerCapacityRoutes } from './routes/capacity.js';
import { registerCodeRoutes } from './routes/code.js';
import { registerCustomDomainRoutes } from './routes/custom-domains.js';
import { registerFunctionRoutes } from './routes/functions.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerInvocationRoutes } from './routes/invocations.js';
import { registerLayerRoutes } from './routes/layers.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerReleaseRoutes } from './routes/releases.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerTriggerRoutes } from './routes/triggers.js';
import { answerClientError, answerFrameworkError, toFcError } from './server-errors.js';

const LAYER_ARN_ROUTE = `${API_PREFIX}/layerarn/:arn`;

/** Routes under the API prefix that authenticate otherwise than with an FC signature. */
const UNSIGNED_PREFIXES = [`${API_PREFIX}/code-packages/`, `${API_PREFIX}/proxy/`];

declare module 'fastify' {
  interface FastifyRequest {
    /** The access key that signed the request. */
    accessKey?: AccessKey;
  }
}

/** Routes whose body carries a base64 code package (`METHOD pattern`, every `:param` written `:`). */
const CODE_ROUTES = new Set([
  `POST ${API_PREFIX}/services/:/functions`,
  `PUT ${API_PREFIX}/services/:/functions/:`,
  `POST ${API_PREFIX}/layers/:/versions`,
  `POST ${FC3_PREFIX}/functions`,
  `PUT ${FC3_PREFIX}/functions/:`,
  `POST ${FC3_PREFIX}/layers/:/versions`,
]);

/** Builds the HTTP app (no listen): FC 2016-08-15 API with signature auth and FC error JSON. */
export function createApp(deps: ApiDeps): FastifyInstance {
  const { config } = deps;
  const app: FastifyInstance = Fastify({
    // A child, so `listenQuietly` can quiet fastify's own listen line without touching the server's logger.
    loggerInstance: deps.logger.child({}) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Every route but the code uploads (onRoute below) and invocations (their own limit) gets this.
    bodyLimit: LIMITS.managementBodyBytesMax,
    // Slow and idle clients: Node closes a socket whose headers (an idle new socket too) or whole request
    // do not arrive in time, and a kept-alive socket idle between requests.
    requestTimeout: config.httpRequestTimeoutMs,
    keepAliveTimeout: config.httpIdleTimeoutMs,
    http: {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(config.httpHeadersTimeoutMs / 4))),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    genReqId: () => randomUUID(),
    // A pino child per request costs a serialisation of its bindings on every call; the two lines logged per
    // request (errors) name the request id themselves.
    childLoggerFactory: (logger) => logger,
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    rewriteUrl: (request) =>
      deps.rewriteUrl?.(request.url ?? '/', request.headers.host) ?? request.url ?? '/',
  });

  limitConnections(app.server, {
    maxPerClient: config.httpMaxConnectionsPerClient,
    maxTotal: config.httpMaxConnections,
  });
  // Base64 code packages are a third larger than the zip.
  const codeBodyLimit = Math.ceil((config.maxZipBytes * 4) / 3) + 1024 * 1024;
  app.addHook('onRoute', (route) => {
    const pattern = route.url.replace(/:[^/]+/g, ':');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.bodyLimit === undefined && methods.some((m) => CODE_ROUTES.has(`${m} ${pattern}`))) {
      route.bodyLimit = codeBodyLimit;
    }
  });

  // FC bodies are parsed as JSON whatever the content-type (Funcraft streams them as octet-stream), and
  // invocation payloads are raw bytes: so every body arrives as a Buffer and each route decides.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const consoleSessions = new ConsoleSessions(deps.keys);

  // Authorization on the resolved request: the raw target must have one reading only, the signature must
  // cover the routed path, and the key's rights are checked against the route and its decoded parameters.
  const authenticate = (request: FastifyRequest): void => {
    checkRequestTarget(request.originalUrl);
    // Whether a signature is needed is the matched route's business, never the raw text's.
    const route = request.routeOptions.url;
    if (!route?.startsWith(`${API_PREFIX}/`) || UNSIGNED_PREFIXES.some((p) => route.startsWith(p))) return;
    // fc2 signs getLayerVersionByArn over the raw path (the ARN encoded as one segment), not the decoded one.
    const rawPath = request.url.split('?', 1)[0] ?? '';
    // The console's session counts only on a request that carries the console header (console/request-auth.ts).
    const key =
      consoleKeyOf(request.headers, consoleSessions) ??
      verifyFcSignature(
        { method: request.method, url: request.url, headers: request.headers },
        deps.keys,
        route === LAYER_ARN_ROUTE ? { paths: [rawPath] } : {},
      );
    authorizeRequest(key, {
      method: request.method,
      route,
      params: request.params as Record<string, string | undefined>,
      resourceArn: (request.query as Record<string, unknown> | undefined)?.resourceArn?.toString(),
    });
    request.accessKey = key;
  };
  // Callback hooks, not async ones: no promise and no microtask turn per request on the hot routes.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-fc-request-id', request.id);
    try {
      authenticate(request);
    } catch (error) {
      return done(error as FcError);
    }
    done();
  });

  // The signature covers Content-MD5; checking it against the body is what binds the body to the signature.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.accessKey === undefined || request.headers['content-md5'] === undefined) return done();
    try {
      checkContentMd5(request.headers, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    } catch (error) {
      return done(error as FcError);
    }
    done();
  });

  // While draining (server no longer listening), close each connection after its response instead of
  // keeping it alive, or shutdown would wait for the keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!app.server.listening) reply.header('connection', 'close');
    done(null, payload);
  });

  app.setErrorHandler(async (error: FastifyError | FcError, request, reply) => {
    let fcError = toFcError(error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Fastify answers before reading the body and closes: read the rest (bounded) so the client sees the 400.
      fcError = payloadTooLarge(request.routeOptions.bodyLimit);
      if (await drainBounded(request.raw, request.headers['content-length']))
        reply.removeHeader('connection');
      else reply.header('connection', 'close');
    }
    request.fcErrorCode = fcError.code;
    if (fcError.isUserError) {
      request.log.debug({ reqId: request.id, code: fcError.code, url: request.url }, fcError.message);
    } else {
      request.log.error({ reqId: request.id, err: error, url: request.url }, 'request failed');
    }
    return reply.status(fcError.status).type('application/json').send(fcError.toBody(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new FcError(
      'PathNotSupported',
      `'${request.method}' against '${request.url}' is not supported`,
    );
    request.fcErrorCode = error.code;
    return reply.status(error.status).type('application/json').send(error.toBody(request.id));
  });

  registerRequestLog(app, deps);
  registerHealthRoutes(app, deps);
  registerServiceRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerFunctionRoutes(app, deps);
  registerCodeRoutes(app, deps);
  registerInvocationRoutes(app, deps);
  registerAsyncInvocationRoutes(app, deps);
  registerAsyncConfigRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerTriggerRoutes(app, deps);
  registerCustomDomainRoutes(app, deps);
  registerReleaseRoutes(app, deps);
  registerLayerRoutes(app, deps);
  registerCapacityRoutes(app, deps);
  // FC 2023-03-30: its own ACS3 auth, error shape and not-found answer, encapsulated in the plugin.
  app.register(async (scope) => fc3Plugin(scope, deps), { prefix: FC3_PREFIX });
  registerConsoleRoutes(app, deps, { sessions: consoleSessions, metrics: deps.metrics });
  registerConsoleAssets(app);
  return app;
}

/** Listens without fastify's "Server listening at" line: `kumo serve` prints its own banner, once. */
export async function listenQuietly(
  app: FastifyInstance,
  options: { host: string; port: number },
): Promise<void> {
  const level = app.log.level;
  app.log.level = 'warn';
  try {
    await app.listen(options);
  } finally {
    app.log.level = level;
  }
}
