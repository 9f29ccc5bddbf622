import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ALIAS_MAIN_VERSION, resolveTarget } from '../../invoke/index.js';
import { type FunctionRecord, toFunctionResponse } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { codeJsonBody } from './code-body.js';
import { functionKey, ifMatch, pageInput, pageOf, serviceKey, targetRef } from './common.js';

type FunctionParams = { Params: { service: string; function: string } };

export function registerFunctionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const functions = deps.control.functions;
  const base = `${API_PREFIX}/services/:service/functions`;

  app.post<{ Params: { service: string } }>(base, async (request, reply) => {
    const stored = await functions.create(serviceKey(request), codeJsonBody(request), codeChecksum(request));
    noteRuntime(deps, reply, stored.value);
    return reply.header('etag', stored.etag).send(functionResponse(deps, stored.value));
  });

  app.get<{ Params: { service: string } }>(base, async (request) => {
    const { serviceName, qualifier } = serviceKey(request);
    const page = await functions.list(serviceName, pageInput(request), qualifier);
    return pageOf(
      'functions',
      page.items.map((f) => functionResponse(deps, f.value)),
      page.nextToken,
    );
  });

  app.get<FunctionParams>(`${base}/:function`, async (request, reply) => {
    const target = await resolveTarget(deps.store, targetRef(request), ALIAS_MAIN_VERSION);
    noteRuntime(deps, reply, target.fn);
    return reply.header('etag', target.revision).send(functionResponse(deps, target.fn));
  });

  app.put<FunctionParams>(`${base}/:function`, async (request, reply) => {
    const options = { ...ifMatch(request), ...codeChecksum(request) };
    const stored = await functions.update(functionKey(request), codeJsonBody(request), options);
    noteRuntime(deps, reply, stored.value);
    return reply.header('etag', stored.etag).send(functionResponse(deps, stored.value));
  });

  app.delete<FunctionParams>(`${base}/:function`, async (request, reply) => {
    await functions.delete(functionKey(request), ifMatch(request));
    return reply.status(204).send();
  });
}

/** `X-Fc-Code-Checksum`: the CRC-64 the client computed over the zip it sends. */
function codeChecksum(request: FastifyRequest): { codeChecksum?: string } {
  const value = request.headers['x-fc-code-checksum'];
  return { codeChecksum: typeof value === 'string' ? value : undefined };
}

/**
 * Kumo's own header on a function's create/update/get answer when its runtime runs on another version than the
 * name says (FC SDKs ignore it; `kumo deploy` prints it).
 */
export const RUNTIME_NOTE_HEADER = 'x-kumo-runtime-note';

function noteRuntime(deps: ApiDeps, reply: FastifyReply, fn: FunctionRecord): void {
  const note = deps.runtimeNote?.(fn.runtime);
  // Percent-encoded where not printable ASCII (and `%` itself), so any sentence fits a header value.
  if (note)
    reply.header(
      RUNTIME_NOTE_HEADER,
      note.replace(/%|[^\x20-\x7e]/g, (c) => encodeURIComponent(c)),
    );
}

/** The API's view of a function, with a container image's status as FC's `accelerationInfo`. */
function functionResponse(deps: ApiDeps, fn: FunctionRecord): Record<string, unknown> {
  const response = toFunctionResponse(fn);
  const image = fn.customContainerConfig && deps.imageStatus?.(fn);
  if (image) response.customContainerConfig = { ...fn.customContainerConfig, accelerationInfo: image };
  return response;
}
