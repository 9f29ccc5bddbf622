import { z } from 'zod';
import { LIMITS } from './limits.js';
import { HTTP_METHODS } from './trigger.js';

// Every string and list is bounded (see LIMITS); unknown keys are dropped by zod at every level.
const id = z.string().max(LIMITS.identifierMaxLength);
const ref = z.string().max(LIMITS.referenceMaxLength);
const name = z.string().min(1).max(LIMITS.nameMaxLength);
const rewriteRules = z
  .array(z.object({ match: ref.optional(), replacement: ref.optional() }))
  .max(LIMITS.listEntriesMax);

const route = z.object({
  path: ref.regex(/^\/[^\s]*$/, "a route path starts with '/' (e.g. '/', '/api/*', '/*')"),
  serviceName: name,
  functionName: name,
  qualifier: name.optional(),
  methods: z
    .array(z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)))
    .max(HTTP_METHODS.length * 2)
    .optional(),
  rewriteConfig: z
    .object({
      equalRules: rewriteRules.optional(),
      wildcardRules: rewriteRules.optional(),
      regexRules: rewriteRules.optional(),
    })
    .optional(),
});

const fields = {
  protocol: z.enum(['HTTP', 'HTTP,HTTPS']).optional(),
  // FC accepts a domain without routes (they are added later by an update); a request then finds no route.
  routeConfig: z.object({ routes: z.array(route).max(LIMITS.customDomainRoutesMax).optional() }).optional(),
  certConfig: z
    .object({
      certName: id.optional(),
      certificate: z.string().max(LIMITS.pemMaxLength).optional(),
      privateKey: z.string().max(LIMITS.pemMaxLength).optional(),
    })
    .optional(),
  tlsConfig: z
    .object({
      minVersion: id.optional(),
      maxVersion: id.optional(),
      cipherSuites: z.array(id).max(LIMITS.listEntriesMax).optional(),
    })
    .optional(),
  wafConfig: z.object({ enableWAF: z.boolean().optional() }).optional(),
};

const DOMAIN = /^(auto|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/i;

export const createCustomDomainBody = z.object({
  domainName: z.string().regex(DOMAIN, "domainName must be a host name (e.g. api.example.com) or 'auto'"),
  ...fields,
});
export const updateCustomDomainBody = z.object(fields);

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
