import type { FastifyRequest } from 'fastify';
import type { FunctionKey, PageInput } from '../../control/index.js';
import { parseServiceRef, type TargetRef } from '../../invoke/index.js';
import { invalidArgument, LIMITS, parseJsonObject } from '../../model/index.js';

type Query = Record<string, string | string[] | undefined>;
type FunctionParams = { service: string; function: string };

/** A query parameter given once (a repeated one counts as its first value). */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Query)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** FC's `?qualifier=` (newer SDKs), next to the `services/{svc}.{q}` path form. */
const qualifierParam = (request: FastifyRequest) => queryParam(request, 'qualifier') || undefined;

/** `services/{svc}[.{q}]/functions/{fn}` (+ `?qualifier=`) as the resolver's reference. */
export function targetRef(request: FastifyRequest<{ Params: FunctionParams }>): TargetRef {
  return {
    serviceRef: request.params.service,
    functionName: request.params.function,
    qualifier: qualifierParam(request),
  };
}

/** `services/{svc}[.{q}]` (+ `?qualifier=`) as a service name and qualifier. */
export function serviceKey(request: FastifyRequest<{ Params: { service: string } }>): {
  serviceName: string;
  qualifier: string;
} {
  return parseServiceRef(request.params.service, qualifierParam(request));
}

/** `services/{svc}[.{q}]/functions/{fn}` as the control layer's key. */
export function functionKey(request: FastifyRequest<{ Params: FunctionParams }>): FunctionKey {
  return { ...serviceKey(request), functionName: request.params.function };
}

/** `limit`, `prefix`, `startKey`, `nextToken`; the control layer checks and caps them. */
export function pageInput(request: FastifyRequest): PageInput {
  const limit = queryParam(request, 'limit');
  return {
    limit: limit === undefined || limit === '' ? undefined : Number(limit),
    prefix: queryParam(request, 'prefix'),
    startKey: queryParam(request, 'startKey'),
    nextToken: queryParam(request, 'nextToken'),
    tags: tagFilter(request),
  };
}

/** fc2's listServices `tags` option arrives as `tag_<key>=<value>` query parameters. */
function tagFilter(request: FastifyRequest): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const name of Object.keys(request.query as Query)) {
    if (name.startsWith('tag_') && name.length > 4) tags[name.slice(4)] = queryParam(request, name) ?? '';
  }
  if (Object.keys(tags).length > LIMITS.tagsPerResourceMax) {
    throw invalidArgument(`at most ${LIMITS.tagsPerResourceMax} tags filter a list`);
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}

/** A page in FC's shape: `{<items>: [...], nextToken?}`. */
export function pageOf<T>(key: string, items: T[], nextToken: string | undefined): Record<string, unknown> {
  return { [key]: items, ...(nextToken && { nextToken }) };
}

export function ifMatch(request: FastifyRequest): { ifMatch?: string } {
  const value = request.headers['if-match'];
  return { ifMatch: Array.isArray(value) ? value[0] : value };
}

/** The body as a JSON object whatever the content-type (Funcraft streams bodies as octet-stream). */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  return parseJsonObject(Buffer.isBuffer(request.body) ? request.body : undefined);
}

/**
 * The server's own origin for URLs in answers. The SDKs send Host without the port, so the port comes from the
 * connection itself (an in-process request has none).
 */
export function originOf(request: FastifyRequest): string {
  const port = request.socket.localPort;
  return `${request.protocol}://${request.hostname}${port ? `:${port}` : ''}`;
}
