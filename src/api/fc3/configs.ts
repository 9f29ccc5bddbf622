import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProvisionView } from '../../control/index.js';
import { ALIAS_MAIN_VERSION, poolKeyOf } from '../../invoke/index.js';
import { type AsyncConfig, FcError, invalidArgument, LIMITS } from '../../model/index.js';
import type { ApiDeps } from '../context.js';
import { jsonBody, pageInput, queryParam } from '../routes/common.js';
import type { Fc3Context } from './function-map.js';
import { type FunctionParams, qualifierOf } from './functions.js';
import { everyFunction } from './list.js';
import { fc3NameOf, fc3Service, resolveFc3 } from './names.js';

/**
 * Per-function configs with `?qualifier=` (async invoke, provision) and their account-level lists, the
 * instance list, and what FC 3.0 has that Kumo's capacity model does not (scaling, reserved concurrency).
 */
export function registerFc3ConfigRoutes(app: FastifyInstance, deps: ApiDeps, context: Fc3Context): void {
  const { asyncConfigs, capacity } = deps.control;
  const arn = (name: string, qualifier?: string) =>
    `acs:fc:${context.region}:${context.accountId}:functions/${name}${qualifier && qualifier !== 'LATEST' ? `/${qualifier}` : ''}`;
  const key = async (request: FastifyRequest<FunctionParams>) => {
    const { serviceName, functionName } = await fc3Service(deps.store, request.params.function);
    return { serviceName, functionName, qualifier: qualifierOf(request) ?? 'LATEST' };
  };
  const asyncAnswer = (config: AsyncConfig, name: string) => ({
    functionArn: arn(name, config.qualifier),
    qualifier: config.qualifier,
    asyncTask: config.statefulInvocation,
    destinationConfig: config.destinationConfig,
    maxAsyncEventAgeInSeconds: config.maxAsyncEventAgeInSeconds,
    maxAsyncRetryAttempts: config.maxAsyncRetryAttempts,
    createdTime: config.createdTime,
    lastModifiedTime: config.lastModifiedTime,
  });
  const provisionAnswer = (view: ProvisionView, name: string) => ({
    functionArn: arn(name, view.config.qualifier),
    qualifier: view.config.qualifier,
    target: view.config.target,
    current: view.current,
    currentError: view.currentError,
    scheduledActions: view.config.scheduledActions,
    targetTrackingPolicies: view.config.targetTrackingPolicies,
    alwaysAllocateCPU: view.config.alwaysAllocateCPU,
  });

  const asyncBase = '/functions/:function/async-invoke-config';
  app.put<FunctionParams>(asyncBase, async (request) => {
    const { asyncTask, ...rest } = jsonBody(request);
    const body = { ...rest, ...(asyncTask !== undefined && { statefulInvocation: asyncTask }) };
    return asyncAnswer(await asyncConfigs.put(await key(request), body), request.params.function);
  });
  app.get<FunctionParams>(asyncBase, async (request) =>
    asyncAnswer(await asyncConfigs.get(await key(request)), request.params.function),
  );
  app.delete<FunctionParams>(asyncBase, async (request, reply) => {
    await asyncConfigs.delete(await key(request));
    return reply.status(204).send();
  });
  app.get('/async-invoke-configs', async (request) => {
    const configs: Record<string, unknown>[] = [];
    for (const listed of await functionsNamed(deps, queryParam(request, 'functionName'))) {
      const page = await asyncConfigs.list(listed.serviceName, listed.functionName, {
        limit: LIMITS.listLimitMax,
      });
      configs.push(...page.items.map((c) => asyncAnswer(c, listed.name)));
    }
    return pageInMemory('configs', configs, request);
  });

  const provisionBase = '/functions/:function/provision-config';
  app.put<FunctionParams>(provisionBase, async (request) =>
    provisionAnswer(
      await capacity.putProvision(await key(request), jsonBody(request)),
      request.params.function,
    ),
  );
  app.get<FunctionParams>(provisionBase, async (request) =>
    provisionAnswer(await capacity.getProvision(await key(request)), request.params.function),
  );
  app.delete<FunctionParams>(provisionBase, async (request, reply) => {
    // FC 2.0 removes provisioned instances by setting the target to 0; FC 3.0 deletes the config.
    await capacity.putProvision(await key(request), { target: 0 });
    return reply.status(204).send();
  });
  app.get('/provision-configs', async (request) => {
    const provisionConfigs: Record<string, unknown>[] = [];
    for (const listed of await functionsNamed(deps, queryParam(request, 'functionName'))) {
      const page = capacity.listProvision(
        { serviceName: listed.serviceName },
        { limit: LIMITS.listLimitMax },
      );
      for (const view of page.items) {
        if (view.config.functionName === listed.functionName && view.config.target > 0) {
          provisionConfigs.push(provisionAnswer(view, listed.name));
        }
      }
    }
    return pageInMemory('provisionConfigs', provisionConfigs, request);
  });

  app.get<FunctionParams>('/functions/:function/instances', async (request) => {
    const target = await resolveFc3(
      deps.store,
      request.params.function,
      qualifierOf(request),
      ALIAS_MAIN_VERSION,
    );
    const poolKey = poolKeyOf(target.service.serviceName, target.fn.functionName, target.versionId);
    const instances = (deps.instances?.(poolKey) ?? [])
      .filter((i) => i.state !== 'stopped')
      .map((i) => ({
        instanceId: i.id,
        versionId: target.versionId ?? 'LATEST',
        status: i.state === 'ready' ? 'Running' : 'Stopping',
        createdTimeMs: i.startedAt,
      }));
    return { instances, requestId: request.id };
  });

  const capacityModel =
    'Kumo caps instances per qualifier with provision configs (and FC 2.0 on-demand configs)';
  for (const [method, url, operation] of [
    ['PUT', '/functions/:function/scaling-config', 'PutScalingConfig'],
    ['GET', '/functions/:function/scaling-config', 'GetScalingConfig'],
    ['DELETE', '/functions/:function/scaling-config', 'DeleteScalingConfig'],
    ['GET', '/scaling-configs', 'ListScalingConfigs'],
    ['PUT', '/functions/:function/concurrency', 'PutConcurrencyConfig'],
    ['GET', '/functions/:function/concurrency', 'GetConcurrencyConfig'],
    ['DELETE', '/functions/:function/concurrency', 'DeleteConcurrencyConfig'],
    ['GET', '/concurrency-configs', 'ListConcurrencyConfigs'],
  ] as const) {
    app.route({
      method,
      url,
      handler: async () => {
        throw new FcError(
          'NotSupported',
          `FC 3.0's ${operation} (${method} /2023-03-30${url}) is not served by Kumo: ${capacityModel}`,
        );
      },
    });
  }
}

/** One function (by FC 3.0 name, checked) or every function. */
async function functionsNamed(
  deps: ApiDeps,
  name: string | undefined,
): Promise<{ name: string; serviceName: string; functionName: string }[]> {
  if (name) {
    const { serviceName, functionName } = await fc3Service(deps.store, name);
    return [{ name, serviceName, functionName }];
  }
  return (await everyFunction(deps.store)).map((f) => ({
    name: fc3NameOf(f.service, f.service.serviceName, f.fn.functionName),
    serviceName: f.service.serviceName,
    functionName: f.fn.functionName,
  }));
}

/** A page of an account-level list (`limit`, opaque `nextToken` = the offset). */
function pageInMemory(key: string, items: Record<string, unknown>[], request: FastifyRequest) {
  const { limit = LIMITS.listLimitMax } = pageInput(request);
  if (!Number.isInteger(limit) || limit < 1) throw invalidArgument('limit must be a positive integer');
  const token = queryParam(request, 'nextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw invalidArgument('nextToken is not one this server handed out');
  const end = start + Math.min(limit, LIMITS.listLimitMax);
  return {
    [key]: items.slice(start, end),
    ...(end < items.length && { nextToken: Buffer.from(String(end)).toString('base64url') }),
  };
}
