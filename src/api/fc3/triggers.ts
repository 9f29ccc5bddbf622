import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Trigger } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { jsonBody, originOf, pageInput, pageOf } from '../routes/common.js';
import type { Fc3Context } from './function-map.js';
import type { FunctionParams } from './functions.js';
import { fc3Service } from './names.js';

type TriggerParams = { Params: { function: string; trigger: string } };

/** Triggers of an FC 3.0 function; `triggerConfig` travels as a JSON string both ways. */
export function registerFc3TriggerRoutes(app: FastifyInstance, deps: ApiDeps, context: Fc3Context): void {
  const { triggers } = deps.control;
  const base = '/functions/:function/triggers';
  const key = async (name: string) => {
    const { serviceName, functionName } = await fc3Service(deps.store, name);
    return { serviceName, functionName };
  };

  app.post<FunctionParams>(base, async (request) => {
    const stored = await triggers.create(await key(request.params.function), jsonBody(request));
    return present(request, stored.value, request.params.function, context);
  });

  app.get<FunctionParams>(base, async (request) => {
    const page = await triggers.list(await key(request.params.function), pageInput(request));
    return pageOf(
      'triggers',
      page.items.map((t) => present(request, t.value, request.params.function, context)),
      page.nextToken,
    );
  });

  app.get<TriggerParams>(`${base}/:trigger`, async (request) => {
    const triggerKey = { ...(await key(request.params.function)), triggerName: request.params.trigger };
    return present(request, (await triggers.get(triggerKey)).value, request.params.function, context);
  });

  app.put<TriggerParams>(`${base}/:trigger`, async (request) => {
    const triggerKey = { ...(await key(request.params.function)), triggerName: request.params.trigger };
    const stored = await triggers.update(triggerKey, jsonBody(request));
    return present(request, stored.value, request.params.function, context);
  });

  app.delete<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const triggerKey = { ...(await key(request.params.function)), triggerName: request.params.trigger };
    await triggers.delete(triggerKey);
    return reply.status(204).send();
  });
}

/** FC 3.0's Trigger: `triggerConfig` as a string, an HTTP trigger's URLs pointing at this server. */
function present(
  request: FastifyRequest,
  trigger: Trigger,
  fc3Name: string,
  context: Fc3Context,
): Record<string, unknown> {
  const { serviceName, functionName, triggerConfig, ...rest } = trigger;
  const answer: Record<string, unknown> = {
    ...rest,
    description: trigger.description ?? '',
    qualifier: trigger.qualifier ?? 'LATEST',
    triggerConfig: JSON.stringify(triggerConfig),
    status: 'Enabled',
    targetArn: `acs:fc:${context.region}:${context.accountId}:functions/${fc3Name}`,
  };
  if (trigger.triggerType === 'http') {
    const qualifier = trigger.qualifier && trigger.qualifier !== 'LATEST' ? `.${trigger.qualifier}` : '';
    const url = `${originOf(request)}${API_PREFIX}/proxy/${serviceName}${qualifier}/${functionName}/`;
    answer.httpTrigger = { urlInternet: url, urlIntranet: url };
  }
  return answer;
}
