import type { FastifyInstance } from 'fastify';
import { resolveTarget } from '../../invoke/index.js';
import { invalidArgument } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { targetRef } from './common.js';

type LogsQuery = {
  requestId?: string;
  since?: string;
  until?: string;
  text?: string;
  after?: string;
  limit?: string;
  /** `node`: the lines of the node answering only (several nodes, docs/cluster.md). */
  scope?: string;
};

/** Kumo's own log query (FC keeps logs in SLS): by request id, time range and text, oldest first. */
export function registerLogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { service: string; function: string }; Querystring: LogsQuery }>(
    `${API_PREFIX}/services/:service/functions/:function/logs`,
    async (request) => {
      const { fn } = await resolveTarget(deps.store, targetRef(request));
      const q = request.query;
      const lines = await deps.logs.query({
        serviceName: fn.serviceName,
        functionName: fn.functionName,
        requestId: q.requestId,
        since: time('since', q.since),
        until: time('until', q.until),
        text: q.text,
        after: q.after === undefined ? undefined : integer('after', q.after),
        limit: Math.min(q.limit === undefined ? 1000 : integer('limit', q.limit), 10_000),
        nodeOnly: q.scope === 'node',
      });
      return {
        logs: lines.map((line) => ({
          id: line.id,
          time: new Date(line.time).toISOString(),
          requestId: line.requestId,
          instanceId: line.instanceId,
          qualifier: line.qualifier,
          message: line.message,
        })),
      };
    },
  );
}

function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) throw invalidArgument(`${name} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`${name} must be a non-negative integer`);
  return n;
}
