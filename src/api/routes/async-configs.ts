import type { FastifyInstance } from 'fastify';
import { toAsyncConfigResponse } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { functionKey, jsonBody, pageInput, pageOf } from './common.js';

type FunctionParams = { Params: { service: string; function: string } };

/** Async invoke configs per qualifier (FC_API.md §4.8). */
export function registerAsyncConfigRoutes(app: FastifyInstance, { control }: ApiDeps): void {
  const { asyncConfigs } = control;
  const base = `${API_PREFIX}/services/:service/functions/:function`;

  app.put<FunctionParams>(`${base}/async-invoke-config`, async (request) =>
    toAsyncConfigResponse(await asyncConfigs.put(functionKey(request), jsonBody(request))),
  );

  app.get<FunctionParams>(`${base}/async-invoke-config`, async (request) =>
    toAsyncConfigResponse(await asyncConfigs.get(functionKey(request))),
  );

  app.delete<FunctionParams>(`${base}/async-invoke-config`, async (request, reply) => {
    await asyncConfigs.delete(functionKey(request));
    return reply.status(204).send();
  });

  app.get<FunctionParams>(`${base}/async-invoke-configs`, async (request) => {
    const { service, function: fn } = request.params;
    const page = await asyncConfigs.list(service, fn, pageInput(request));
    return pageOf('configs', page.items.map(toAsyncConfigResponse), page.nextToken);
  });
}
