import type { FastifyInstance } from 'fastify';
import {
  findAsyncInvocation,
  listAsyncInvocations,
  resolveTarget,
  stopAsyncInvocation,
  toInvocationResponse,
} from '../../invoke/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { pageOf, queryParam, targetRef } from './common.js';

type Params = { Params: { service: string; function: string; id?: string } };

/** FC's stateful async invocations of a function (FC_API.md §4.10): list, get, stop. */
export function registerAsyncInvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${API_PREFIX}/services/:service/functions/:function/stateful-async-invocations`;

  app.get<Params>(base, async (request) => {
    const target = await resolveTarget(deps.store, targetRef(request));
    // Only a qualifier the caller named filters the list (no qualifier lists every invocation of the function).
    const named = request.params.service.includes('.') || Boolean(queryParam(request, 'qualifier'));
    const param = (name: string) => queryParam(request, name);
    const page = await listAsyncInvocations(deps.asyncQueue, target, {
      qualifier: named ? target.qualifier : undefined,
      status: param('status'),
      invocationIdPrefix: param('invocationIdPrefix'),
      startedTimeBegin: param('startedTimeBegin'),
      startedTimeEnd: param('startedTimeEnd'),
      sortOrderByTime: param('sortOrderByTime'),
      limit: param('limit'),
      nextToken: param('nextToken'),
    });
    const includePayload = param('includePayload') === 'true';
    return pageOf(
      'invocations',
      page.items.map((inv) => toInvocationResponse(inv, includePayload)),
      page.nextToken,
    );
  });

  app.get<Params>(`${base}/:id`, async (request) => {
    const target = await resolveTarget(deps.store, targetRef(request));
    const inv = await findAsyncInvocation(deps.asyncQueue, target, request.params.id ?? '');
    return toInvocationResponse(inv, queryParam(request, 'includePayload') === 'true');
  });

  // FC's StopStatefulAsyncInvocation.
  app.put<Params>(`${base}/:id`, async (request, reply) => {
    const target = await resolveTarget(deps.store, targetRef(request));
    await stopAsyncInvocation(deps.asyncQueue, target, request.params.id ?? '', (requestId) =>
      deps.onAsyncStop?.(requestId),
    );
    return reply.status(200).send('');
  });
}
