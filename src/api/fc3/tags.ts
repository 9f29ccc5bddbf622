import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FcError, invalidArgument, isPlainObject } from '../../model/index.js';
import type { ApiDeps } from '../context.js';
import { jsonBody, queryParam } from '../routes/common.js';
import { everyFunction } from './list.js';
import { functionNotFound, locateFc3 } from './names.js';

/**
 * FC 3.0's `/tags-v2` on functions: Kumo keeps tags on services, so an FC 3.0 function's tags are those of
 * its service. An FC 2.0 function (`s$f`) shares its service's tags with its siblings: tag it through FC 2.0.
 */
export function registerFc3TagRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { tags } = deps.control;
  const serviceArn = async (resourceId: string) => {
    const name = /(?:^|:)functions\/([^/]+)$/.exec(resourceId)?.[1] ?? resourceId;
    const location = locateFc3(name);
    if (location.fcVersion === 'v2') {
      throw invalidArgument(
        `'${name}' is an FC 2.0 function: its tags are its service's, tag service '${location.serviceName}' through FC 2.0`,
      );
    }
    const service = await deps.store.getService(location.serviceName);
    if (service?.value.fcVersion !== 'v3') throw functionNotFound(name);
    return { name, arn: `services/${location.serviceName}` };
  };

  // The SDK sends this body with FC 3.0's wire names (`ResourceId`, `ResourceType`, `Tag[{Key, Value}]`).
  app.post('/tags-v2', async (request, reply) => {
    const body = jsonBody(request);
    checkType(body.ResourceType ?? body.resourceType);
    const entries = body.Tag ?? body.tag;
    const tagMap: Record<string, string> = {};
    for (const entry of Array.isArray(entries) ? entries : []) {
      const key = isPlainObject(entry) ? (entry.Key ?? entry.key) : undefined;
      const value = isPlainObject(entry) ? (entry.Value ?? entry.value) : undefined;
      if (typeof key !== 'string') throw invalidArgument('each tag needs a Key');
      tagMap[key] = typeof value === 'string' ? value : '';
    }
    for (const id of stringList(body.ResourceId ?? body.resourceId, 'ResourceId')) {
      await tags.tag({ resourceArn: (await serviceArn(id)).arn, tags: tagMap });
    }
    return reply.status(200).send('');
  });

  app.delete('/tags-v2', async (request, reply) => {
    checkType(queryParam(request, 'ResourceType'));
    const all = queryParam(request, 'All') === 'true';
    const tagKeys = jsonList(request, 'TagKey');
    for (const id of jsonList(request, 'ResourceId')) {
      await tags.untag({ resourceArn: (await serviceArn(id)).arn, tagKeys, all });
    }
    return reply.status(200).send('');
  });

  app.get('/tags-v2', async (request) => {
    checkType(queryParam(request, 'ResourceType'));
    const filter = (jsonList(request, 'Tag', false) as unknown as Record<string, string | undefined>[]).map(
      (t) => ({ key: t.Key ?? t.key, value: t.Value ?? t.value }),
    );
    let ids = jsonList(request, 'ResourceId');
    if (ids.length === 0) {
      ids = (await everyFunction(deps.store)).filter((f) => f.service.fcVersion === 'v3').map((f) => f.name);
    }
    const tagResources: Record<string, string>[] = [];
    for (const id of ids) {
      const { name, arn } = await serviceArn(id);
      const { tags: found } = await tags.get(arn);
      const matches = filter.every(
        (t) => t.key !== undefined && t.key in found && (t.value === undefined || found[t.key] === t.value),
      );
      if (!matches) continue;
      for (const [tagKey, tagValue] of Object.entries(found)) {
        tagResources.push({ ResourceId: name, ResourceType: 'function', TagKey: tagKey, TagValue: tagValue });
      }
    }
    // FC 3.0's wire names for this answer are capitalised (the SDK's ListTagResourcesOutput).
    return { TagResources: tagResources, RequestId: request.id };
  });
}

function checkType(type: unknown): void {
  if (type !== undefined && type !== '' && String(type).toLowerCase() !== 'function') {
    throw new FcError('NotSupported', `Kumo tags functions only, not resourceType '${String(type)}'`);
  }
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalidArgument(`${field} must be a list of function names or ARNs`);
  }
  return value;
}

/** The SDK sends lists in the query as JSON (`ResourceId=["a","b"]`). */
function jsonList(request: FastifyRequest, name: string, strings = true): string[] {
  const raw = queryParam(request, name);
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidArgument(`${name} must be a JSON list`);
  }
  if (!Array.isArray(parsed)) throw invalidArgument(`${name} must be a JSON list`);
  return strings ? stringList(parsed, name) : (parsed as string[]);
}
