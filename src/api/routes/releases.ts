import type { FastifyInstance } from 'fastify';
import { toAliasResponse, toVersionResponse } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { ifMatch, jsonBody, pageInput, pageOf, queryParam } from './common.js';

type ServiceParams = { Params: { service: string } };
type VersionParams = { Params: { service: string; version: string } };
type AliasParams = { Params: { service: string; alias: string } };

/** Versions and aliases of a service (FC_API.md §4.6). */
export function registerReleaseRoutes(app: FastifyInstance, { control }: ApiDeps): void {
  const { versions, aliases } = control;
  const base = `${API_PREFIX}/services/:service`;

  app.post<ServiceParams>(`${base}/versions`, async (request, reply) => {
    const stored = await versions.publish(request.params.service, jsonBody(request), ifMatch(request));
    return reply.header('etag', stored.etag).send(toVersionResponse(stored.value));
  });

  app.get<ServiceParams>(`${base}/versions`, async (request) => {
    const page = await versions.list(request.params.service, {
      ...pageInput(request),
      direction: queryParam(request, 'direction'),
    });
    return {
      ...pageOf(
        'versions',
        page.items.map((v) => toVersionResponse(v.value)),
        page.nextToken,
      ),
      direction: page.direction,
    };
  });

  app.delete<VersionParams>(`${base}/versions/:version`, async (request, reply) => {
    await versions.delete(request.params.service, request.params.version);
    return reply.status(204).send();
  });

  app.post<ServiceParams>(`${base}/aliases`, async (request, reply) => {
    const stored = await aliases.create(request.params.service, jsonBody(request));
    return reply.header('etag', stored.etag).send(toAliasResponse(stored.value));
  });

  app.get<ServiceParams>(`${base}/aliases`, async (request) => {
    const page = await aliases.list(request.params.service, pageInput(request));
    return pageOf(
      'aliases',
      page.items.map((a) => toAliasResponse(a.value)),
      page.nextToken,
    );
  });

  app.get<AliasParams>(`${base}/aliases/:alias`, async (request, reply) => {
    const stored = await aliases.get(request.params.service, request.params.alias);
    return reply.header('etag', stored.etag).send(toAliasResponse(stored.value));
  });

  app.put<AliasParams>(`${base}/aliases/:alias`, async (request, reply) => {
    const { service, alias } = request.params;
    const stored = await aliases.update(service, alias, jsonBody(request), ifMatch(request));
    return reply.header('etag', stored.etag).send(toAliasResponse(stored.value));
  });

  app.delete<AliasParams>(`${base}/aliases/:alias`, async (request, reply) => {
    await aliases.delete(request.params.service, request.params.alias, ifMatch(request));
    return reply.status(204).send();
  });
}
