import type { AccessKey } from '../auth.js';
import { authorizeRequest } from '../authorize.js';
import { API_PREFIX } from '../context.js';
import { locateFc3 } from './names.js';

export const FC3_PREFIX = '/2023-03-30';

/**
 * FC 3.0 routes as the FC 2.0 routes that do the same, so one rule table (authorize.ts) decides what a key
 * limited to a service may do through either face. A route not listed has no FC 2.0 twin a scoped key may
 * use, and stays refused (default deny).
 */
const FC2_TWINS: Record<string, string> = {
  'GET /functions/:': 'GET /services/:/functions/:',
  'GET /functions/:/code': 'GET /services/:/functions/:/code',
  'POST /functions/:/invocations': 'POST /services/:/functions/:/invocations',
  'GET /functions/:/triggers': 'GET /services/:/functions/:/triggers',
  'GET /functions/:/triggers/:': 'GET /services/:/functions/:/triggers/:',
  'GET /functions/:/versions': 'GET /services/:/versions',
  'GET /functions/:/aliases': 'GET /services/:/aliases',
  'GET /functions/:/aliases/:': 'GET /services/:/aliases/:',
  'GET /functions/:/async-invoke-config': 'GET /services/:/functions/:/async-invoke-config',
  'GET /functions/:/provision-config': 'GET /services/:/functions/:/provision-config',
  'GET /functions/:/instances': 'GET /services/:/functions/:/instances',
  'GET /functions/:/async-tasks': 'GET /services/:/functions/:/stateful-async-invocations',
  'GET /functions/:/async-tasks/:': 'GET /services/:/functions/:/stateful-async-invocations/:',
  'GET /layers': 'GET /layers',
  'GET /layers/:/versions': 'GET /layers/:/versions',
  'GET /layers/:/versions/:': 'GET /layers/:/versions/:',
  'GET /layerarn/:': 'GET /layerarn/:',
};

/** Applies the FC 2.0 authorization rules to an FC 3.0 request (the root key may do everything). */
export function authorizeFc3(
  key: AccessKey,
  method: string,
  route: string | undefined,
  params: Record<string, string | undefined>,
): void {
  if (key.serviceName === undefined) return;
  const pattern = route?.slice(FC3_PREFIX.length).replace(/:[^/]+/g, ':');
  const verb = method === 'HEAD' ? 'GET' : method;
  const twin = pattern === undefined ? undefined : FC2_TWINS[`${verb} ${pattern}`];
  const location = params.function === undefined ? undefined : locateFc3(params.function);
  authorizeRequest(key, {
    method: verb,
    // An FC 3.0 route without a twin is checked under its own name, which no rule lists: refused.
    route: twin ? `${API_PREFIX}${twin.slice(twin.indexOf(' ') + 1)}` : route,
    params: { service: location?.serviceName, function: location?.functionName },
  });
}
