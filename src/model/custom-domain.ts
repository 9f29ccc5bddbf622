import { z } from 'zod';
import { HTTP_METHODS } from './trigger.js';

const route = z.object({
  path: z.string().regex(/^\/[^\s]*$/, "a route path starts with '/' (e.g. '/', '/api/*', '/*')"),
  serviceName: z.string().min(1),
  functionName: z.string().min(1),
  qualifier: z.string().optional(),
  methods: z
    .array(z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)))
    .optional(),
  rewriteConfig: z.record(z.string(), z.unknown()).optional(),
});

const fields = {
  protocol: z.enum(['HTTP', 'HTTP,HTTPS']).optional(),
  routeConfig: z.object({ routes: z.array(route).min(1, 'routeConfig.routes needs at least one route') }),
  certConfig: z.record(z.string(), z.unknown()).optional(),
  tlsConfig: z.record(z.string(), z.unknown()).optional(),
  wafConfig: z.record(z.string(), z.unknown()).optional(),
};

const DOMAIN = /^(auto|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/i;

export const createCustomDomainBody = z.object({
  domainName: z.string().regex(DOMAIN, "domainName must be a host name (e.g. api.example.com) or 'auto'"),
  ...fields,
});
export const updateCustomDomainBody = z.object({ ...fields, routeConfig: fields.routeConfig.optional() });

export type CustomDomainRoute = z.infer<typeof route>;

export interface CustomDomain {
  domainName: string;
  protocol: string;
  routeConfig: { routes: CustomDomainRoute[] };
  certConfig?: Record<string, unknown>;
  tlsConfig?: Record<string, unknown>;
  wafConfig?: Record<string, unknown>;
  accountId: string;
  apiVersion: string;
  createdTime: string;
  lastModifiedTime: string;
}

/** The route for a path: exact paths first, then the longest `/prefix/*` wildcard (`/*` matches everything). */
export function matchRoute(
  routes: readonly CustomDomainRoute[],
  path: string,
): CustomDomainRoute | undefined {
  const exact = routes.find((r) => r.path === path);
  if (exact) return exact;
  return routes
    .filter((r) => r.path.endsWith('/*') && `${path}/`.startsWith(r.path.slice(0, -1)))
    .sort((a, b) => b.path.length - a.path.length)[0];
}
