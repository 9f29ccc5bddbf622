import { Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkContentMd5, type KeyRing } from '../api/index.js';
import { type Invoker, invokeHttp, resolveHttpTarget } from '../invoke/index.js';
import { FcError, type HttpTriggerConfig, LIMITS, matchRoute } from '../model/index.js';
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
    // Bodies stream straight to the instance: no parsing, no buffering.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const handler =
      (resolve: (url: string) => ProxyTarget) => async (request: FastifyRequest, reply: FastifyReply) => {
        const result = await forward(deps, request, resolve(request.url));
        reply.status(result.status).headers(result.headers);
        return reply.send(request.method === 'HEAD' ? undefined : result.body);
      };
    scope.all(`${PROXY_PREFIX}*`, handler(parseProxyUrl));
    scope.all(
      `${DOMAIN_ROUTE_PREFIX}*`,
      handler((url) => resolveDomainRoute(deps.domains, url)),
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

async function forward(deps: GatewayDeps, request: FastifyRequest, target: ProxyTarget) {
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
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > LIMITS.syncPayloadBytesMax) throw tooLarge();
  let body: Readable | null =
    request.body && typeof (request.body as NodeJS.ReadableStream).pipe === 'function'
      ? (request.body as NodeJS.ReadableStream).pipe(limitBytes(LIMITS.syncPayloadBytesMax))
      : null;
  // A signed call's Content-MD5 binds its body: read it (bounded above) and check before the function sees it.
  if (config.authType === 'function' && request.headers['content-md5'] !== undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of body ?? []) chunks.push(chunk as Buffer);
    const buffered = Buffer.concat(chunks);
    checkContentMd5(request.headers, buffered);
    body = Readable.from([buffered]);
  }
  return invokeHttp(deps.invoker, {
    requestId: request.id,
    service: resolved.service,
    fn: resolved.fn,
    revision: resolved.revision,
    qualifier: resolved.qualifier,
    versionId: resolved.versionId,
    method: request.method,
    url: target.url,
    headers: request.headers,
    body,
    clientIp: request.ip,
    basePath: target.basePath,
  });
}

function tooLarge(): FcError {
  return new FcError(
    'EntityTooLarge',
    `the request body is larger than ${LIMITS.syncPayloadBytesMax} bytes`,
    { status: 413 },
  );
}

/** Passes bytes through until `max`, then fails the stream (a chunked body cannot be checked up front). */
function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > max ? tooLarge() : null, seen > max ? undefined : chunk);
    },
  });
}
