import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TriggerKey } from '../../control/index.js';
import type { Trigger } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { functionKey, ifMatch, jsonBody, originOf, pageInput, pageOf } from './common.js';

type FunctionParams = { Params: { service: string; function: string } };
type TriggerParams = { Params: { service: string; function: string; trigger: string } };

export function registerTriggerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const triggers = deps.control.triggers;
  const base = `${API_PREFIX}/services/:service/functions/:function/triggers`;
  const triggerKey = (request: FastifyRequest<TriggerParams>): TriggerKey => ({
    ...functionKey(request),
    triggerName: request.params.trigger,
  });

  app.post<FunctionParams>(base, async (request, reply) => {
    const stored = await triggers.create(functionKey(request), jsonBody(request));
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.get<FunctionParams>(base, async (request) => {
    const page = await triggers.list(functionKey(request), pageInput(request));
    return pageOf(
      'triggers',
      page.items.map((t) => present(request, t.value)),
      page.nextToken,
    );
  });

  app.get<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const stored = await triggers.get(triggerKey(request));
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.put<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const stored = await triggers.update(triggerKey(request), jsonBody(request), ifMatch(request));
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.delete<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    await triggers.delete(triggerKey(request), ifMatch(request));
    return reply.status(204).send();
  });
}

/** FC 2016-08-15's view: the stored trigger plus the URLs an HTTP trigger is reachable at. */
function present(request: FastifyRequest, trigger: Trigger): Record<string, unknown> {
  const { serviceName: _s, functionName: _f, ...rest } = trigger;
  if (trigger.triggerType !== 'http') return rest;
  const qualifier = trigger.qualifier && trigger.qualifier !== 'LATEST' ? `.${trigger.qualifier}` : '';
  const url = `${originOf(request)}${API_PREFIX}/proxy/${trigger.serviceName}${qualifier}/${trigger.functionName}/`;
  return { ...rest, urlInternet: url, urlIntranet: url };
}
