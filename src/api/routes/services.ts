import type { FastifyInstance } from 'fastify';
import type { Service } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { ifMatch, jsonBody, pageInput, pageOf, serviceKey } from './common.js';

type ServiceParams = { Params: { service: string } };

export function registerServiceRoutes(app: FastifyInstance, { control }: ApiDeps): void {
  const services = control.services;

  app.post(`${API_PREFIX}/services`, async (request, reply) => {
    const stored = await services.create(jsonBody(request));
    return reply.header('etag', stored.etag).send(fc2View(stored.value));
  });

  app.get(`${API_PREFIX}/services`, async (request) => {
    const page = await services.list(pageInput(request));
    return pageOf(
      'services',
      page.items.map((s) => fc2View(s.value)),
      page.nextToken,
    );
  });

  app.get<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    const stored = await services.get(serviceName, qualifier);
    return reply.header('etag', stored.etag).send(fc2View(stored.value));
  });

  app.put<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    const stored = await services.update(serviceName, jsonBody(request), { ...ifMatch(request), qualifier });
    return reply.header('etag', stored.etag).send(fc2View(stored.value));
  });

  app.delete<ServiceParams>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = serviceKey(request);
    await services.delete(serviceName, { ...ifMatch(request), qualifier });
    return reply.status(204).send();
  });
}

/** FC 2.0's Service has no `fcVersion`: Kumo's marker for a service carrying an FC 3.0 function stays inside. */
function fc2View({ fcVersion: _fcVersion, ...service }: Service): Omit<Service, 'fcVersion'> {
  return service;
}
