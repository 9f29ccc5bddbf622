import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ProvisionView, pageQuery } from '../../control/index.js';
import { ALIAS_MAIN_VERSION, poolKeyOf, resolveTarget } from '../../invoke/index.js';
import { type OnDemandConfig, onDemandResource, provisionResource } from '../../model/index.js';
import type { Instance } from '../../scheduler/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { functionKey, jsonBody, pageInput, pageOf, queryParam, targetRef } from './common.js';

type FunctionParams = { Params: { service: string; function: string } };

/** Provisioned instances, on-demand caps, the instance list and account settings (FC_API.md §4.8). */
export function registerCapacityRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { capacity } = deps.control;
  const { accountId } = deps.credentials;
  const base = `${API_PREFIX}/services/:service/functions/:function`;
  const provisionAnswer = (view: ProvisionView) => ({
    resource: provisionResource(accountId, view.config),
    target: view.config.target,
    current: view.current,
    scheduledActions: view.config.scheduledActions,
    targetTrackingPolicies: view.config.targetTrackingPolicies,
    alwaysAllocateCPU: view.config.alwaysAllocateCPU,
    currentError: view.currentError,
  });
  const onDemandAnswer = (config: OnDemandConfig) => ({
    resource: onDemandResource(config),
    maximumInstanceCount: config.maximumInstanceCount,
  });
  const capacityKey = (request: FastifyRequest<FunctionParams>) => {
    const key = functionKey(request);
    return {
      serviceName: key.serviceName,
      functionName: key.functionName,
      qualifier: key.qualifier ?? 'LATEST',
    };
  };
  const filter = (request: FastifyRequest) => ({
    serviceName: queryParam(request, 'serviceName') || undefined,
    qualifier: queryParam(request, 'qualifier') || undefined,
  });

  app.put<FunctionParams>(`${base}/provision-config`, async (request) =>
    provisionAnswer(await capacity.putProvision(capacityKey(request), jsonBody(request))),
  );
  app.get<FunctionParams>(`${base}/provision-config`, async (request) =>
    provisionAnswer(await capacity.getProvision(capacityKey(request))),
  );
  app.get(`${API_PREFIX}/provision-configs`, async (request) => {
    const page = capacity.listProvision(filter(request), pageInput(request));
    return pageOf('provisionConfigs', page.items.map(provisionAnswer), page.nextToken);
  });

  app.put<FunctionParams>(`${base}/on-demand-config`, async (request) =>
    onDemandAnswer(await capacity.putOnDemand(capacityKey(request), jsonBody(request))),
  );
  app.get<FunctionParams>(`${base}/on-demand-config`, async (request) =>
    onDemandAnswer(await capacity.getOnDemand(capacityKey(request))),
  );
  app.delete<FunctionParams>(`${base}/on-demand-config`, async (request, reply) => {
    await capacity.deleteOnDemand(capacityKey(request));
    return reply.status(204).send();
  });
  app.get(`${API_PREFIX}/on-demand-configs`, async (request) => {
    const page = capacity.listOnDemand(filter(request), pageInput(request));
    return pageOf('configs', page.items.map(onDemandAnswer), page.nextToken);
  });

  app.get<FunctionParams>(`${base}/instances`, async (request) => {
    const target = await resolveTarget(deps.store, targetRef(request), ALIAS_MAIN_VERSION);
    const poolKey = poolKeyOf(target.service.serviceName, target.fn.functionName, target.versionId);
    const wanted = instanceIdsParam(request);
    const { limit } = pageQuery(pageInput(request));
    const instances: Record<string, unknown>[] = (deps.instances?.(poolKey) ?? [])
      .filter((i) => i.state !== 'stopped' && (!wanted || wanted.has(i.id)))
      .slice(0, limit)
      .map((i) => ({ ...instanceAnswer(i, target.versionId), nodeName: deps.cluster?.nodeName }));
    // Several nodes: every live node's instances, each with its node's name (`scope=node`: this node's only).
    const { cluster } = deps;
    if (cluster && (request.query as { scope?: string }).scope !== 'node') {
      const path = request.url.slice(API_PREFIX.length);
      instances.push(...(await cluster.otherNodes(`${path}${path.includes('?') ? '&' : '?'}scope=node`)));
    }
    return { instances: instances.slice(0, limit) };
  });

  // FC's shape, plus this server's instance limits (FC shows its quotas elsewhere; Kumo has no other place).
  app.get(`${API_PREFIX}/account-settings`, async () => ({
    availableAZs: deps.availableAZs ?? [`${deps.config.region}-a`],
    defaultRole: '',
    limits: {
      maxInstances: deps.config.maxInstances,
      maxInstancesPerFunction: deps.config.maxInstancesPerFunction,
      maxQueuedCalls: deps.config.maxQueuedCalls,
    },
  }));
}

/** FC's `{instanceId, versionId}`, plus what Kumo knows: state, start time, calls in flight, provisioned. */
function instanceAnswer(instance: Instance, versionId: string | undefined) {
  return {
    instanceId: instance.id,
    versionId: versionId ?? 'LATEST',
    state: instance.state === 'ready' ? (instance.inFlight > 0 ? 'Busy' : 'Idle') : 'Stopping',
    startTime: new Date(instance.startedAt).toISOString(),
    inFlight: instance.inFlight,
    provisioned: instance.provisionedFor !== undefined,
  };
}

/** fc2 sends `instanceIds` as a repeated query parameter (or one value). */
function instanceIdsParam(request: FastifyRequest): Set<string> | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>).instanceIds;
  if (value === undefined || value === '') return undefined;
  return new Set(Array.isArray(value) ? value : value.split(','));
}
