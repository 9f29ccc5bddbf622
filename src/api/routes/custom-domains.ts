import type { FastifyInstance } from 'fastify';
import {
  type CustomDomain,
  createCustomDomainBody,
  FcError,
  parseBody,
  updateCustomDomainBody,
} from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { bodyOf, ifMatch, listQuery, now } from './common.js';

type DomainParams = { Params: { domain: string } };

export function registerCustomDomainRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const base = `${API_PREFIX}/custom-domains`;

  app.post(base, async (request, reply) => {
    const body = parseBody(createCustomDomainBody, bodyOf(request));
    const time = now();
    const domain: CustomDomain = {
      ...body,
      domainName:
        body.domainName === 'auto'
          ? autoDomain(body.routeConfig.routes[0], deps.credentials.accountId)
          : body.domainName.toLowerCase(),
      protocol: body.protocol ?? 'HTTP',
      accountId: deps.credentials.accountId,
      apiVersion: '2016-08-15',
      createdTime: time,
      lastModifiedTime: time,
    };
    const stored = await store.createCustomDomain(domain);
    deps.onCustomDomainChanged(stored.value);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.get(base, async (request) => {
    const page = await store.listCustomDomains(listQuery(request));
    return {
      customDomains: page.items.map((d) => d.value),
      ...(page.nextToken && { nextToken: page.nextToken }),
    };
  });

  app.get<DomainParams>(`${base}/:domain`, async (request, reply) => {
    const stored = await getOrThrow(deps, request.params.domain);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.put<DomainParams>(`${base}/:domain`, async (request, reply) => {
    const current = await getOrThrow(deps, request.params.domain);
    const changes = parseBody(updateCustomDomainBody, bodyOf(request));
    const domain: CustomDomain = {
      ...current.value,
      ...changes,
      routeConfig: changes.routeConfig ?? current.value.routeConfig,
      lastModifiedTime: now(),
    };
    const stored = await store.updateCustomDomain(domain, ifMatch(request));
    deps.onCustomDomainChanged(stored.value);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.delete<DomainParams>(`${base}/:domain`, async (request, reply) => {
    const current = await getOrThrow(deps, request.params.domain);
    await store.deleteCustomDomain(current.value.domainName, ifMatch(request));
    deps.onCustomDomainChanged(current.value, true);
    return reply.status(204).send();
  });
}

async function getOrThrow(deps: ApiDeps, name: string) {
  const stored = await deps.store.getCustomDomain(name.toLowerCase());
  if (!stored) throw new FcError('DomainNameNotFound', `custom domain '${name}' does not exist`);
  return stored;
}

/** `auto`: a name under `.localhost`, which resolves to loopback on every modern system. */
function autoDomain(
  route: { serviceName: string; functionName: string } | undefined,
  accountId: string,
): string {
  if (!route) throw new FcError('InvalidArgument', "an 'auto' domain needs a route naming the function");
  const label = (s: string) => s.toLowerCase().replaceAll('_', '-');
  return `${label(route.functionName)}.${label(route.serviceName)}.${accountId}.localhost`;
}
