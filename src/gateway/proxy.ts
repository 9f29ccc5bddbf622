import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyAborted,
  BodyTooLarge,
  checkContentMd5,
  drainBounded,
  type KeyRing,
  readBoundedBody,
} from '../api/index.js';
import {
  rawWithoutConsoleSession,
  withoutConsoleSession,
  withoutOriginWideHeaders,
} from '../console/index.js';
import { type Invoker, invokeHttp, resolveHttpTarget } from '../invoke/index.js';
import { FcError, type HttpTriggerConfig, matchRoute } from '../model/index.js';
import type { MetaStore } from '../store/index.js';
import { authorizeTrigger } from './auth.js';
import { DOMAIN_ROUTE_PREFIX, type DomainTable } from './domains.js';

export interface GatewayDeps {
  store: MetaStore;
  invoker: Invoker;
  keys: KeyRing;
  domains: DomainTable;
}

const PROXY_PREFIX = '/2016-08-15/proxy/';

/** `ANY /2016-08-15/proxy/{service}[.{qualifier}]/{function}/{path…}`: HTTP functions through their HTTP trigger. */
export function registerGateway(app: FastifyInstance, deps: GatewayDeps): void {
  void app.register(async (scope) => {
    // Bodies come as the raw stream: the gateway reads them itself, bounded (readBody).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const handler =
      (resolve: (url: string) => ProxyTarget, sharesConsoleOrigin: boolean) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        // What the platform refuses is FC's `FcCommonError` on an HTTP trigger (docs 85445); a function's
        // failure is not.
        reply.header('x-fc-error-type', 'FcCommonError');
        let result: Awaited<ReturnType<typeof forward>>;
        try {
          result = await forward(deps, request, reply, resolve(request.url));
        } catch (error) {
          // Refused before its body was read (a method, a signature): read the rest, bounded, so the client can
          // read the answer; past the bound the answer closes the connection.
          const raw = request.raw;
          const closing = reply.getHeader('connection') === 'close';
          if (!closing && !raw.readableEnded && !(await drainBounded(raw, request.headers['content-length'])))
            reply.header('connection', 'close');
          throw error;
        }
        reply.removeHeader('x-fc-error-type');
        // A custom domain is its own origin (its own Host); the proxy paths are the console's.
        const headers = sharesConsoleOrigin ? withoutOriginWideHeaders(result.headers) : result.headers;
        reply.status(result.status).headers(headers);
        return reply.send(request.method === 'HEAD' ? undefined : result.body);
      };
    scope.all(`${PROXY_PREFIX}*`, handler(parseProxyUrl, true));
    scope.all(
      `${DOMAIN_ROUTE_PREFIX}*`,
      handler((url) => resolveDomainRoute(deps.domains, url), false),
    );
  });
}

interface ProxyTarget {
  /** `svc` or `svc.{qualifier}`, as the proxy path gives it. */
  serviceRef: string;
  /** A qualifier named apart from the service (a custom-domain route's). */
  qualifier?: string;
  functionName: string;
  /** What the function sees: `/rest?query`. */
  url: string;
  basePath: string;
  /** Methods a custom-domain route allows, on top of the trigger's. */
  routeMethods?: readonly string[];
  /** The path to check an FC signature against (the proxy path, or the custom-domain path). */
  signedUrl?: string;
}

/** A custom-domain request: the route for its path names the function; the function sees the whole path. */
function resolveDomainRoute(domains: DomainTable, url: string): ProxyTarget {
  const rest = url.slice(DOMAIN_ROUTE_PREFIX.length);
  const slash = rest.search(/[/?]/);
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const original = slash < 0 ? '/' : rest[slash] === '?' ? `/${rest.slice(slash)}` : rest.slice(slash);
  const domain = domains.get(host);
  const path = original.split('?', 1)[0] ?? '/';
  const route = domain && matchRoute(domain.routeConfig.routes, path);
  if (!route) throw new FcError('PathNotSupported', `custom domain '${host}' has no route for '${path}'`);
  return {
    serviceRef: route.serviceName,
    functionName: route.functionName,
    qualifier: route.qualifier,
    url: original,
    basePath: '',
    routeMethods: route.methods,
    signedUrl: original,
  };
}

export function parseProxyUrl(url: string): ProxyTarget {
  const rest = url.slice(PROXY_PREFIX.length);
  const match = /^([^/?]+)\/([^/?]+)(.*)$/.exec(rest);
  if (!match)
    throw new FcError('PathNotSupported', `'${url}' is not /2016-08-15/proxy/<service>/<function>/<path>`);
  const [, serviceRef = '', functionName = '', tail = ''] = match;
  return {
    serviceRef,
    functionName,
    url: tail === '' || tail.startsWith('?') ? `/${tail}` : tail,
    basePath: `${PROXY_PREFIX}${serviceRef}/${functionName}`,
  };
}

async function forward(deps: GatewayDeps, request: FastifyRequest, reply: FastifyReply, target: ProxyTarget) {
  const resolved = await resolveHttpTarget(deps.store, target);
  const config = resolved.httpTrigger.triggerConfig as HttpTriggerConfig;
  const allowed = (m: readonly string[] | undefined) => !m || m.length === 0 || m.includes(request.method);
  if (!allowed(config.methods) || !allowed(target.routeMethods)) {
    throw new FcError(
      'MethodNotAllowed',
      `method ${request.method} is not allowed by the HTTP trigger (allowed: ${config.methods.join(', ')})`,
    );
  }
  authorizeTrigger(
    config,
    { method: request.method, url: target.signedUrl ?? request.url, headers: request.headers },
    deps.keys,
    resolved.service.serviceName,
  );
  const body = await readBody(request, reply);
  // A signed call's Content-MD5 binds its body: check it before the function sees it.
  if (config.authType === 'function' && request.headers['content-md5'] !== undefined) {
    checkContentMd5(request.headers, body);
  }
  const headers = withoutConsoleSession(request.headers);
  return invokeHttp(deps.invoker, {
    requestId: request.id,
    service: resolved.service,
    fn: resolved.fn,
    revision: resolved.revision,
    qualifier: resolved.qualifier,
    versionId: resolved.versionId,
    method: request.method,
    url: target.url,
    headers,
    body: body.length > 0 ? body : null,
    clientIp: request.ip,
    basePath: target.basePath,
    // No session header among the parsed ones: none among the raw ones either, no copy needed.
    rawHeaders:
      headers === request.headers ? request.raw.rawHeaders : rawWithoutConsoleSession(request.raw.rawHeaders),
    httpVersion: request.raw.httpVersion,
  });
}

/**
 * The whole body, read before an instance is taken (FC's front end does the same): an oversized or broken-off body
 * is the client's error, answered without touching the function, and a slow client never holds an instance.
 */
async function readBody(request: FastifyRequest, reply: FastifyReply): Promise<Buffer> {
  const stream = request.body as Readable | undefined;
  if (!stream || typeof stream.pipe !== 'function') return Buffer.alloc(0);
  try {
    return await readBoundedBody(stream, request.headers['content-length']);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      if (error.closeConnection) reply.header('connection', 'close');
      throw error.error;
    }
    if (error instanceof BodyAborted) throw new FcError('InvalidArgument', error.message);
    throw error;
  }
}
