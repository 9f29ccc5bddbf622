import type { FastifyInstance } from 'fastify';
import { type CustomDomain, isPlainObject } from '../../model/index.js';
import type { MetaStore } from '../../store/index.js';
import type { ApiDeps } from '../context.js';
import { jsonBody, pageInput, pageOf } from '../routes/common.js';
import { fc3NameOf, locateFc3 } from './names.js';

type DomainParams = { Params: { domain: string } };
type Json = Record<string, unknown>;

/** Custom domains: FC 2.0's, with routes naming an FC 3.0 function (`functionName` + `qualifier`). */
export function registerFc3CustomDomainRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const domains = deps.control.customDomains;
  const present = (domain: CustomDomain) => toFc3Domain(deps.store, domain);

  app.post('/custom-domains', async (request) => {
    const stored = await domains.create(toFc2Body(jsonBody(request)), { apiVersion: '2023-03-30' });
    return present(stored.value);
  });

  app.get('/custom-domains', async (request) => {
    const page = await domains.list(pageInput(request));
    const customDomains = await Promise.all(page.items.map((d) => present(d.value)));
    return pageOf('customDomains', customDomains, page.nextToken);
  });

  app.get<DomainParams>('/custom-domains/:domain', async (request) =>
    present((await domains.get(request.params.domain)).value),
  );

  app.put<DomainParams>('/custom-domains/:domain', async (request) =>
    present((await domains.update(request.params.domain, toFc2Body(jsonBody(request)))).value),
  );

  app.delete<DomainParams>('/custom-domains/:domain', async (request, reply) => {
    await domains.delete(request.params.domain);
    return reply.status(204).send();
  });
}

/** FC 3.0 routes name `functionName` (`f` or `s$f`); FC 2.0's name the service too. */
function toFc2Body(body: Json): Json {
  const routeConfig = body.routeConfig;
  if (!isPlainObject(routeConfig) || !Array.isArray(routeConfig.routes)) return body;
  const routes = routeConfig.routes.map((route: unknown) => {
    if (!isPlainObject(route) || typeof route.functionName !== 'string') return route;
    const { serviceName, functionName } = locateFc3(route.functionName);
    return { ...route, serviceName, functionName };
  });
  return { ...body, routeConfig: { ...routeConfig, routes } };
}

async function toFc3Domain(store: MetaStore, domain: CustomDomain): Promise<Json> {
  const routes = await Promise.all(
    domain.routeConfig.routes.map(async ({ serviceName, functionName, ...route }) => {
      const service = (await store.getService(serviceName))?.value ?? {};
      return { ...route, functionName: fc3NameOf(service, serviceName, functionName) };
    }),
  );
  return { ...domain, routeConfig: { routes } };
}
