import type { FastifyRequest } from 'fastify';
import { FcError, invalidArgument, LIMITS } from '../../model/index.js';
import type { ListQuery } from '../../store/index.js';

/** `services/{name}[.{qualifier}]` path segment. */
export function parseServiceRef(segment: string): { serviceName: string; qualifier: string } {
  const dot = segment.indexOf('.');
  if (dot < 0) return { serviceName: segment, qualifier: 'LATEST' };
  return { serviceName: segment.slice(0, dot), qualifier: segment.slice(dot + 1) || 'LATEST' };
}

/** Until versions and aliases exist, only LATEST resolves. */
export function requireLatest(qualifier: string): void {
  if (qualifier !== 'LATEST') {
    throw new FcError(
      'VersionNotFound',
      `qualifier '${qualifier}' does not exist: this Kumo has no published versions or aliases, use LATEST`,
    );
  }
}

export function listQuery(request: FastifyRequest): ListQuery {
  const query = request.query as Record<string, string | undefined>;
  let limit: number = LIMITS.listLimitMax;
  if (query.limit !== undefined && query.limit !== '') {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) throw invalidArgument('limit must be a positive integer');
    limit = Math.min(limit, LIMITS.listLimitMax);
  }
  return { limit, prefix: query.prefix, startKey: query.startKey, nextToken: query.nextToken };
}

export function ifMatch(request: FastifyRequest): string | undefined {
  const value = request.headers['if-match'];
  return Array.isArray(value) ? value[0] : value;
}

export function bodyOf(request: FastifyRequest): Buffer | undefined {
  return Buffer.isBuffer(request.body) ? request.body : undefined;
}

export const now = (): string => new Date().toISOString();
