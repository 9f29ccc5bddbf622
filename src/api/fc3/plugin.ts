import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FcError } from '../../model/index.js';
import { checkContentSha256, headersFromRaw, NonceWindow, verifyAcs3Signature } from '../acs3/index.js';
import { drainBounded, payloadTooLarge } from '../body-limit.js';
import type { ApiDeps } from '../context.js';
import { toFcError } from '../server-errors.js';
import { registerFc3AsyncTaskRoutes } from './async-tasks.js';
import { authorizeFc3, FC3_PREFIX } from './authorize.js';
import { registerFc3ConfigRoutes } from './configs.js';
import { registerFc3CustomDomainRoutes } from './domains.js';
import type { Fc3Context } from './function-map.js';
import { registerFc3FunctionRoutes } from './functions.js';
import { registerFc3InvocationRoutes } from './invocations.js';
import { registerFc3LayerRoutes } from './layers.js';
import { registerFc3ReleaseRoutes } from './releases.js';
import { registerFc3TagRoutes } from './tags.js';
import { registerFc3TriggerRoutes } from './triggers.js';
import { registerFc3UnservedRoutes } from './unserved.js';

/** FC 3.0's error body: `{Code, Message, RequestId}`. */
export function fc3ErrorBody(error: FcError, requestId: string): Record<string, string> {
  return { Code: error.code, Message: error.message, RequestId: requestId };
}

/**
 * The FC 2023-03-30 API as a second thin face over the control layer: its own ACS3-HMAC-SHA256
 * authentication, FC 3.0's error shape, and routes that translate FC 3.0's function model to Kumo's one
 * model (src/model/fc3.ts). Registered from app.ts under {@link FC3_PREFIX}.
 */
export async function fc3Plugin(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const nonces = new NonceWindow();
  const context: Fc3Context = { accountId: deps.credentials.accountId, region: deps.config.region };

  app.addHook('onRequest', async (request) => {
    const key = verifyAcs3Signature(
      { method: request.method, url: request.url, headers: headersFromRaw(request.raw.rawHeaders) },
      deps.keys,
      { nonces },
    );
    authorizeFc3(
      key,
      request.method,
      request.routeOptions.url,
      request.params as Record<string, string | undefined>,
    );
    request.accessKey = key;
  });

  // The signature covers x-acs-content-sha256; checking it against the body binds the body to the signature.
  app.addHook('preValidation', async (request) => {
    checkContentSha256(
      headersFromRaw(request.raw.rawHeaders),
      Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    );
  });

  app.setErrorHandler(async (error: FastifyError | FcError, request, reply) =>
    answerError(error, request, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    const error = new FcError(
      'PathNotSupported',
      `'${request.method}' against '${request.url.split('?', 1)[0]}' is not supported`,
    );
    return reply.status(error.status).type('application/json').send(fc3ErrorBody(error, request.id));
  });

  registerFc3FunctionRoutes(app, deps, context);
  registerFc3InvocationRoutes(app, deps);
  registerFc3TriggerRoutes(app, deps, context);
  registerFc3ReleaseRoutes(app, deps);
  registerFc3AsyncTaskRoutes(app, deps);
  registerFc3ConfigRoutes(app, deps, context);
  registerFc3CustomDomainRoutes(app, deps);
  registerFc3LayerRoutes(app, deps);
  registerFc3TagRoutes(app, deps);
  registerFc3UnservedRoutes(app);
}

async function answerError(error: FastifyError | FcError, request: FastifyRequest, reply: FastifyReply) {
  let fcError = toFcError(error);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // As FC 2.0's face does: read the rest (bounded) so the client sees the answer.
    fcError = payloadTooLarge(request.routeOptions.bodyLimit);
    if (await drainBounded(request.raw, request.headers['content-length'])) reply.removeHeader('connection');
    else reply.header('connection', 'close');
  }
  if (fcError.isUserError) {
    request.log.debug({ reqId: request.id, code: fcError.code, url: request.url }, fcError.message);
  } else {
    request.log.error({ reqId: request.id, err: error, url: request.url }, 'request failed');
  }
  return reply.status(fcError.status).type('application/json').send(fc3ErrorBody(fcError, request.id));
}

export { FC3_PREFIX };
