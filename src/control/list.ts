import { type FunctionRecord, invalidArgument, LIMITS } from '../model/index.js';
import type { ListQuery, MetaStore } from '../store/index.js';

/** A page request as a caller gives it; `limit` is optional and capped at FC's maximum. */
export interface PageInput {
  limit?: number;
  prefix?: string;
  /** List from this name on (inclusive). */
  startKey?: string;
  /** Opaque token from a previous page. */
  nextToken?: string;
  /** Only resources carrying every one of these tags (listServices' `tag_<key>=<value>`). */
  tags?: Record<string, string>;
}

/** FC's paging rules: a positive integer limit, at most `LIMITS.listLimitMax` (also the default). */
export function pageQuery(input: PageInput): ListQuery {
  let limit: number = LIMITS.listLimitMax;
  if (input.limit !== undefined) {
    if (!Number.isInteger(input.limit) || input.limit < 1)
      throw invalidArgument('limit must be a positive integer');
    limit = Math.min(input.limit, LIMITS.listLimitMax);
  }
  return {
    limit,
    prefix: input.prefix || undefined,
    startKey: input.startKey || undefined,
    nextToken: input.nextToken || undefined,
    ...(input.tags && Object.keys(input.tags).length > 0 && { tags: input.tags }),
  };
}

/** Every function of a service (LATEST), read page by page. */
export async function allFunctions(store: MetaStore, serviceName: string): Promise<FunctionRecord[]> {
  const functions: FunctionRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await store.listFunctions(serviceName, { limit: LIMITS.listLimitMax, nextToken });
    functions.push(...page.items.map((f) => f.value));
    nextToken = page.nextToken;
  } while (nextToken);
  return functions;
}
