import type { FastifyInstance } from 'fastify';
import { toAliasResponse, toVersionResponse } from '../../model/index.js';
import type { ApiDeps } from '../context.js';
import { jsonBody, pageInput, pageOf, queryParam } from '../routes/common.js';
import type { FunctionParams } from './functions.js';
import { fc3Service } from './names.js';

type VersionParams = { Params: { function: string; version: string } };
type AliasParams = { Params: { function: string; alias: string } };

/**
 * Versions and aliases of an FC 3.0 function: those of its service. For an FC 2.0 `s$f` they are service
 * `s`'s, which FC 2.0 shares between all of `s`'s functions.
 */
export function registerFc3ReleaseRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { versions, aliases } = deps.control;
  const service = async (name: string) => (await fc3Service(deps.store, name)).serviceName;

  app.post<FunctionParams>('/functions/:function/versions', async (request) => {
    const stored = await versions.publish(await service(request.params.function), jsonBody(request));
    return toVersionResponse(stored.value);
  });

  app.get<FunctionParams>('/functions/:function/versions', async (request) => {
    const page = await versions.list(await service(request.params.function), {
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

  app.delete<VersionParams>('/functions/:function/versions/:version', async (request, reply) => {
    await versions.delete(await service(request.params.function), request.params.version);
    return reply.status(204).send();
  });

  app.post<FunctionParams>('/functions/:function/aliases', async (request) => {
    const stored = await aliases.create(await service(request.params.function), jsonBody(request));
    return toAliasResponse(stored.value);
  });

  app.get<FunctionParams>('/functions/:function/aliases', async (request) => {
    const page = await aliases.list(await service(request.params.function), pageInput(request));
    return pageOf(
      'aliases',
      page.items.map((a) => toAliasResponse(a.value)),
      page.nextToken,
    );
  });

  app.get<AliasParams>('/functions/:function/aliases/:alias', async (request) => {
    const stored = await aliases.get(await service(request.params.function), request.params.alias);
    return toAliasResponse(stored.value);
  });

  app.put<AliasParams>('/functions/:function/aliases/:alias', async (request) => {
    const name = await service(request.params.function);
    return toAliasResponse((await aliases.update(name, request.params.alias, jsonBody(request))).value);
  });

  app.delete<AliasParams>('/functions/:function/aliases/:alias', async (request, reply) => {
    await aliases.delete(await service(request.params.function), request.params.alias);
    return reply.status(204).send();
  });
}
