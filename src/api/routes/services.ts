import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createServiceBody, FcError, parseBody, type Service, updateServiceBody } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { bodyOf, ifMatch, listQuery, now, parseServiceRef, requireLatest } from './common.js';

export function registerServiceRoutes(app: FastifyInstance, { store }: ApiDeps): void {
  app.post(`${API_PREFIX}/services`, async (request, reply) => {
    const body = parseBody(createServiceBody, bodyOf(request));
    const time = now();
    const service: Service = {
      internetAccess: true,
      description: '',
      ...body,
      serviceId: randomUUID(),
      createdTime: time,
      lastModifiedTime: time,
    };
    const stored = await store.createService(service);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.get(`${API_PREFIX}/services`, async (request) => {
    const page = await store.listServices(listQuery(request));
    return { services: page.items.map((s) => s.value), ...(page.nextToken && { nextToken: page.nextToken }) };
  });

  app.get<{ Params: { service: string } }>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName, qualifier } = parseServiceRef(request.params.service);
    requireLatest(qualifier);
    const stored = await store.getService(serviceName);
    if (!stored) throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.put<{ Params: { service: string } }>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName } = parseServiceRef(request.params.service);
    const changes = parseBody(updateServiceBody, bodyOf(request));
    const current = await store.getService(serviceName);
    if (!current) throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
    const stored = await store.updateService(
      { ...current.value, ...changes, lastModifiedTime: now() },
      ifMatch(request),
    );
    return reply.header('etag', stored.etag).send(stored.value);
  });

  app.delete<{ Params: { service: string } }>(`${API_PREFIX}/services/:service`, async (request, reply) => {
    const { serviceName } = parseServiceRef(request.params.service);
    await store.deleteService(serviceName, ifMatch(request));
    return reply.status(204).send();
  });
}
