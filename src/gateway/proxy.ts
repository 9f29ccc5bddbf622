import { Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkContentMd5, type KeyRing } from '../api/index.js';
import { type Invoker, invokeHttp } from '../invoke/index.js';
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
  serviceName: string;
  qualifier: string;
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
    serviceName: route.serviceName,
    functionName: route.functionName,
    qualifier: route.qualifier ?? 'LATEST',
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
  const dot = serviceRef.indexOf('.');
  return {
    serviceName: dot < 0 ? serviceRef : serviceRef.slice(0, dot),
    qualifier: dot < 0 ? 'LATEST' : serviceRef.slice(dot + 1),
    functionName,
    url: tail === '' || tail.startsWith('?') ? `/${tail}` : tail,
    basePath: `${PROXY_PREFIX}${serviceRef}/${functionName}`,
  };
}

async function forward(deps: GatewayDeps, request: FastifyRequest, target: ProxyTarget) {
  const { store } = deps;
  if (target.qualifier !== 'LATEST') {
    throw new FcError('VersionNotFound', `qualifier '${target.qualifier}' does not exist: use LATEST`);
  }
  const service = await store.getService(target.serviceName);
  const fn = service && (await store.getFunction(target.serviceName, target.functionName));
  const trigger = fn && (await store.httpTrigger(target.serviceName, target.functionName));
  if (!service || !fn || !trigger) {
    throw new FcError(
      'TriggerNotFound',
      `no HTTP trigger for '${target.serviceName}/${target.functionName}': create one to call the function over HTTP`,
    );
  }
  const config = trigger.triggerConfig as HttpTriggerConfig;
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
    target.serviceName,
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
    service: service.value,
    fn: fn.value,
    revision: fn.etag,
    qualifier: target.qualifier,
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
