import { FcError } from '../model/index.js';
import type { AccessKey } from './auth.js';
import { API_PREFIX } from './context.js';

/**
 * What a function's temporary key (the `X-Fc-Access-Key-*` a call receives, FC's service role) may do, as
 * `METHOD route` with every `:param` written `:`. FC grants a role what its RAM policy says; Kumo grants the
 * equivalent of FC's `AliyunFCReadOnlyAccess` + `AliyunFCInvocationAccess`, limited to the key's own service:
 * read the service, its functions, code, triggers, versions, aliases, logs, async records, async invoke configs,
 * capacity configs and instances, and invoke its functions (stopping an invocation, changing a config or capacity
 * needs the account's key). Anything
 * else (creating, changing or deleting resources, listing services, custom domains, routes added later) is
 * refused until listed here: default deny.
 */
const FUNCTION_ROLE_ROUTES = new Set(
  [
    'GET /services/:',
    'GET /services/:/functions',
    'GET /services/:/functions/:',
    'GET /services/:/functions/:/code',
    'POST /services/:/functions/:/invocations',
    'GET /services/:/functions/:/stateful-async-invocations',
    'GET /services/:/functions/:/stateful-async-invocations/:',
    'GET /services/:/functions/:/async-invoke-config',
    'GET /services/:/functions/:/async-invoke-configs',
    'GET /services/:/functions/:/logs',
    'GET /services/:/functions/:/provision-config',
    'GET /services/:/functions/:/on-demand-config',
    'GET /services/:/functions/:/instances',
    'GET /services/:/functions/:/triggers',
    'GET /services/:/functions/:/triggers/:',
    'GET /services/:/versions',
    'GET /services/:/aliases',
    'GET /services/:/aliases/:',
  ].map((route) => route.replace(' /', ` ${API_PREFIX}/`)),
);

/**
 * Account-wide reads a function's temporary key may also make: layers belong to the account, not to a service
 * (FC's read-only policy covers GetLayerVersion/ListLayers). Publishing, deleting and ACL changes stay refused.
 */
const FUNCTION_ROLE_ACCOUNT_READS = new Set(
  ['GET /layers', 'GET /layers/:/versions', 'GET /layers/:/versions/:', 'GET /layerarn/:'].map((route) =>
    route.replace(' /', ` ${API_PREFIX}/`),
  ),
);

/** Reads whose service is named by the `resourceArn` query parameter (FC's tag API), not by the path. */
const FUNCTION_ROLE_ARN_READS = new Set(['GET /tag'].map((route) => route.replace(' /', ` ${API_PREFIX}/`)));

export interface RoutedRequest {
  method: string;
  /** The matched route's pattern (`/2016-08-15/services/:service`), undefined when nothing matched. */
  route: string | undefined;
  /** The route's decoded parameters. */
  params: Record<string, string | undefined>;
  /** The query's `resourceArn`, for routes that name their resource there. */
  resourceArn?: string;
}

/**
 * Authorizes a signed request on what the router resolved, never on the raw text. The root key may do
 * everything; a key scoped to a service only what {@link FUNCTION_ROLE_ROUTES} lists, on that service.
 */
export function authorizeRequest(key: AccessKey, request: RoutedRequest): void {
  if (key.serviceName === undefined) return;
  const pattern = request.route?.replace(/:[^/]+/g, ':');
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (pattern !== undefined && FUNCTION_ROLE_ACCOUNT_READS.has(`${method} ${pattern}`)) return;
  if (pattern !== undefined && FUNCTION_ROLE_ARN_READS.has(`${method} ${pattern}`)) {
    // Only an ARN naming the key's own service; anything unparsable is out of scope.
    const service = /(?:^|:)services\/([^/:]+)$/.exec(request.resourceArn ?? '')?.[1];
    checkServiceScope(key, service ?? '');
    return;
  }
  if (pattern === undefined || !FUNCTION_ROLE_ROUTES.has(`${method} ${pattern}`)) {
    throw new FcError(
      'AccessDenied',
      `a function's temporary credentials may only read and invoke resources of service '${key.serviceName}'; ${request.method} ${request.route ?? 'this path'} needs the account's access key`,
    );
  }
  const serviceRef = request.params.service ?? request.params.serviceName ?? '';
  checkServiceScope(key, serviceRef.split('.', 1)[0] ?? '');
}

/** A key scoped to a service may only reach that service (also used by the HTTP gateway). */
export function checkServiceScope(key: AccessKey, serviceName: string): void {
  if (key.serviceName !== undefined && key.serviceName !== serviceName) {
    throw new FcError(
      'AccessDenied',
      `these temporary credentials only allow access to service '${key.serviceName}'`,
    );
  }
}
