import type { FastifyRequest } from 'fastify';
import { allFunctions } from '../../control/list.js';
import { fcVersionOf } from '../../model/fc3.js';
import { type FunctionRecord, invalidArgument, LIMITS, type Service } from '../../model/index.js';
import type { MetaStore } from '../../store/index.js';
import type { ApiDeps } from '../context.js';
import { queryParam } from '../routes/common.js';
import { type Fc3Context, toFc3Function } from './function-map.js';
import { fc3NameOf } from './names.js';

export interface Listed {
  name: string;
  service: Service;
  fn: FunctionRecord;
}

/**
 * ListFunctions over both faces' functions, by FC 3.0 name: `prefix`, `fcVersion` (`v2`/`v3`), `runtime`,
 * `limit` and an opaque `nextToken` (the last name returned). Reads every service: Kumo's stores hold
 * hundreds of functions, not millions.
 */
export async function listFc3Functions(
  deps: ApiDeps,
  request: FastifyRequest,
  context: Fc3Context,
): Promise<Record<string, unknown>> {
  const limit = pageLimit(queryParam(request, 'limit'));
  const prefix = queryParam(request, 'prefix') ?? '';
  const fcVersion = queryParam(request, 'fcVersion') || undefined;
  if (fcVersion !== undefined && fcVersion !== 'v2' && fcVersion !== 'v3') {
    throw invalidArgument(`fcVersion must be v2 or v3, not '${fcVersion}'`);
  }
  const runtime = queryParam(request, 'runtime') || undefined;
  const after = decodeToken(queryParam(request, 'nextToken'));
  const all = (await everyFunction(deps.store))
    .filter((f) => f.name.startsWith(prefix) && (after === undefined || f.name > after))
    .filter((f) => fcVersion === undefined || fcVersionOf(f.service) === fcVersion)
    .filter((f) => runtime === undefined || f.fn.runtime === runtime)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = all.slice(0, limit);
  const last = page.at(-1);
  return {
    functions: page.map((f) => toFc3Function(f.service, f.fn, context)),
    ...(all.length > limit && last && { nextToken: Buffer.from(last.name).toString('base64url') }),
  };
}

function pageLimit(value: string | undefined): number {
  if (value === undefined || value === '') return LIMITS.listLimitMax;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw invalidArgument('limit must be a positive integer');
  return Math.min(limit, LIMITS.listLimitMax);
}

function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const name = Buffer.from(token, 'base64url').toString();
  if (name === '' || Buffer.from(name).toString('base64url') !== token) {
    throw invalidArgument('nextToken is not one this server handed out');
  }
  return name;
}

/** Every function under its FC 3.0 name: a v3 service's own function, every function of a v2 service. */
export async function everyFunction(store: MetaStore): Promise<Listed[]> {
  const listed: Listed[] = [];
  let nextToken: string | undefined;
  do {
    const page = await store.listServices({ limit: LIMITS.listLimitMax, nextToken });
    for (const { value: service } of page.items) {
      for (const fn of await allFunctions(store, service.serviceName)) {
        if (fcVersionOf(service) === 'v3' && fn.functionName !== service.serviceName) continue;
        listed.push({ name: fc3NameOf(service, service.serviceName, fn.functionName), service, fn });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return listed;
}
