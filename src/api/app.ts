import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { FcError } from '../model/index.js';
import { type AccessKey, verifyFcSignature } from './auth.js';
import { API_PREFIX, type ApiDeps } from './context.js';
import { registerCodeRoutes } from './routes/code.js';
import { registerCustomDomainRoutes } from './routes/custom-domains.js';
import { registerFunctionRoutes } from './routes/functions.js';
import { registerInvocationRoutes } from './routes/invocations.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerTriggerRoutes } from './routes/triggers.js';

/** Paths under the API prefix that authenticate otherwise than with an FC signature. */
const UNSIGNED_PREFIXES = [`${API_PREFIX}/code-packages/`, `${API_PREFIX}/proxy/`];

declare module 'fastify' {
  interface FastifyRequest {
    /** The access key that signed the request. */
    accessKey?: AccessKey;
  }
}

/** Builds the HTTP app (no listen): FC 2016-08-15 API with signature auth and FC error JSON. */
export function createApp(deps: ApiDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Base64 code packages are a third larger than the zip.
    bodyLimit: Math.ceil((deps.config.maxZipBytes * 4) / 3) + 1024 * 1024,
    genReqId: () => randomUUID(),
    // A pino child per request costs a serialisation of its bindings on every call; the two lines logged per
    // request (errors) name the request id themselves.
    childLoggerFactory: (logger) => logger,
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    rewriteUrl: (request) =>
      deps.rewriteUrl?.(request.url ?? '/', request.headers.host) ?? request.url ?? '/',
  });

  // FC bodies are parsed as JSON whatever the content-type (Funcraft streams them as octet-stream), and
  // invocation payloads are raw bytes: so every body arrives as a Buffer and each route decides.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-fc-request-id', request.id);
    const path = request.url.split('?', 1)[0] ?? '';
    if (!path.startsWith(`${API_PREFIX}/`) || UNSIGNED_PREFIXES.some((p) => path.startsWith(p))) return;
    request.accessKey = verifyFcSignature(
      { method: request.method, url: request.url, headers: request.headers },
      deps.keys,
    );
  });

  // While draining (server no longer listening), close each connection after its response instead of
  // keeping it alive, or shutdown would wait for the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (!app.server.listening) reply.header('connection', 'close');
  });

  app.setErrorHandler((error: FastifyError | FcError, request, reply) => {
    const fcError = toFcError(error);
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
    return reply.status(error.status).type('application/json').send(error.toBody(request.id));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerServiceRoutes(app, deps);
  registerFunctionRoutes(app, deps);
  registerCodeRoutes(app, deps);
  registerInvocationRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerTriggerRoutes(app, deps);
  registerCustomDomainRoutes(app, deps);
  return app;
}

function toFcError(error: FastifyError | FcError): FcError {
  if (error instanceof FcError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FcError('EntityTooLarge', `the request body is larger than the limit: ${error.message}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FcError('InvalidArgument', error.message);
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new FcError('InvalidArgument', error.message);
      }
      return new FcError('InternalServerError', 'internal error; see the Kumo server log', { cause: error });
  }
}
