import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  checkTriggerType,
  createTriggerBody,
  FcError,
  parseBody,
  parseTriggerConfig,
  type TimerTriggerConfig,
  type Trigger,
  updateTriggerBody,
} from '../../model/index.js';
import { createCron } from '../../triggers/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { bodyOf, ifMatch, listQuery, now, parseServiceRef } from './common.js';
import { getFunctionOrThrow } from './functions.js';

type TriggerParams = { Params: { service: string; function: string; trigger: string } };

export function registerTriggerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const base = `${API_PREFIX}/services/:service/functions/:function/triggers`;

  app.post<{ Params: { service: string; function: string } }>(base, async (request, reply) => {
    const { value: fn } = await getFunctionOrThrow(deps, request.params);
    const body = parseBody(createTriggerBody, bodyOf(request));
    const triggerType = checkTriggerType(body.triggerType);
    const time = now();
    const trigger: Trigger = {
      ...body,
      serviceName: fn.serviceName,
      functionName: fn.functionName,
      triggerType,
      triggerConfig: parseTriggerConfig(triggerType, body.triggerConfig ?? {}),
      triggerId: randomUUID(),
      createdTime: time,
      lastModifiedTime: time,
    };
    checkTrigger(trigger);
    const stored = await store.createTrigger(trigger);
    deps.onTriggerChanged(stored.value);
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.get<{ Params: { service: string; function: string } }>(base, async (request) => {
    const { serviceName } = parseServiceRef(request.params.service);
    const page = await store.listTriggers(serviceName, request.params.function, listQuery(request));
    return {
      triggers: page.items.map((t) => present(request, t.value)),
      ...(page.nextToken && { nextToken: page.nextToken }),
    };
  });

  app.get<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const stored = await getTriggerOrThrow(deps, request.params);
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.put<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const current = await getTriggerOrThrow(deps, request.params);
    const changes = parseBody(updateTriggerBody, bodyOf(request));
    if (changes.triggerType && checkTriggerType(changes.triggerType) !== current.value.triggerType) {
      throw new FcError(
        'InvalidArgument',
        'triggerType cannot change: delete the trigger and create a new one',
      );
    }
    const trigger: Trigger = {
      ...current.value,
      ...changes,
      triggerType: current.value.triggerType,
      triggerConfig:
        changes.triggerConfig === undefined
          ? current.value.triggerConfig
          : parseTriggerConfig(current.value.triggerType, changes.triggerConfig),
      lastModifiedTime: now(),
    };
    checkTrigger(trigger);
    const stored = await store.updateTrigger(trigger, ifMatch(request));
    deps.onTriggerChanged(stored.value);
    return reply.header('etag', stored.etag).send(present(request, stored.value));
  });

  app.delete<TriggerParams>(`${base}/:trigger`, async (request, reply) => {
    const { value } = await getTriggerOrThrow(deps, request.params);
    await store.deleteTrigger(value.serviceName, value.functionName, value.triggerName, ifMatch(request));
    deps.onTriggerChanged(value, true);
    return reply.status(204).send();
  });
}

async function getTriggerOrThrow(
  deps: ApiDeps,
  params: { service: string; function: string; trigger: string },
): Promise<{ value: Trigger; etag: string }> {
  const { value: fn } = await getFunctionOrThrow(deps, params);
  const stored = await deps.store.getTrigger(fn.serviceName, fn.functionName, params.trigger);
  if (!stored) {
    throw new FcError(
      'TriggerNotFound',
      `trigger '${params.trigger}' does not exist on function '${fn.functionName}'`,
    );
  }
  return stored;
}

/** Checks what the schema cannot: the cron syntax, and that the qualifier exists. */
function checkTrigger(trigger: Trigger): void {
  if (trigger.triggerType === 'timer') {
    createCron((trigger.triggerConfig as TimerTriggerConfig).cronExpression, () => undefined).stop();
  }
  if (trigger.qualifier && trigger.qualifier !== 'LATEST') {
    throw new FcError(
      'InvalidArgument',
      `qualifier '${trigger.qualifier}' does not exist: this Kumo has no versions or aliases yet`,
    );
  }
}

/** The API view: the stored trigger plus the URLs an HTTP trigger is reachable at. */
function present(request: FastifyRequest, trigger: Trigger): Record<string, unknown> {
  const { serviceName: _s, functionName: _f, ...rest } = trigger;
  if (trigger.triggerType !== 'http') return rest;
  const origin = `${request.protocol}://${request.hostname}:${request.socket.localPort}`;
  const qualifier = trigger.qualifier && trigger.qualifier !== 'LATEST' ? `.${trigger.qualifier}` : '';
  const url = `${origin}${API_PREFIX}/proxy/${trigger.serviceName}${qualifier}/${trigger.functionName}/`;
  return { ...rest, urlInternet: url, urlIntranet: url };
}
