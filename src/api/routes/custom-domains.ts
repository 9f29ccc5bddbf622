import type { FastifyInstance } from 'fastify';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { ifMatch, jsonBody, pageInput, pageOf } from './common.js';

type DomainParams = { Params: { domain: string } };

export function registerCustomDomainRoutes(app: FastifyInstance, { control }: ApiDeps): void {
  const domains = control.customDomains;
  const base = `${API_PREFIX}/custom-domains`;

  app.post(base, async (request, reply) => {
    const stored = await domains.create(jsonBody(request), { apiVersion: API_PREFIX.slice(1) });
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.get(base, async (request) => {
    const page = await domains.list(pageInput(request));
    return pageOf(
      'customDomains',
      page.items.map((d) => d.value),
      page.nextToken,
    );
  });

  app.get<DomainParams>(`${base}/:domain`, async (request, reply) => {
    const stored = await domains.get(request.params.domain);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.put<DomainParams>(`${base}/:domain`, async (request, reply) => {
    const stored = await domains.update(request.params.domain, jsonBody(request), ifMatch(request));
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.delete<DomainParams>(`${base}/:domain`, async (request, reply) => {
    await domains.delete(request.params.domain, ifMatch(request));
    return reply.status(204).send();
  });
}
