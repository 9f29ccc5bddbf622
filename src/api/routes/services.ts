import type { FastifyInstance } from 'fastify';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { ifMatch, jsonBody, pageInput, pageOf, serviceKey } from './common.js';

type ServiceParams = { Params: { service: string } };

export function registerServiceRoutes(app: FastifyInstance, { control }: ApiDeps): void {
  const services = control.services;

  app.post(`${API_PREFIX}/services`, async (request, reply) => {
    const stored = await services.create(jsonBody(request));
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.get(`${API_PREFIX}/services`, async (request) => {
    const page = await services.list(pageInput(request));
    return pageOf(
      'services',
      page.items.map((s) => s.value),
      page.nextToken,
    );
  });

  app.get<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    const stored = await services.get(serviceName, qualifier);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.put<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    const stored = await services.update(serviceName, jsonBody(request), { ...ifMatch(request), qualifier });
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.delete<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    await services.delete(serviceName, { ...ifMatch(request), qualifier });
    return reply.status(204).send();
  });
}
