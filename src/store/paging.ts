import { invalidArgument } from '../model/index.js';
import type { ListQuery, Page } from './types.js';

/**
 * FC's name-ordered paging, shared by the SQLite tables and by lists held in memory (a published version's
 * functions): a page starts at the later of `startKey` and the `nextToken`, and the next token is the opaque
 * form of the first name of the following page.
 */
export function pageStart(query: ListQuery): string | undefined {
  const token = query.nextToken ? Buffer.from(query.nextToken, 'base64url').toString() : undefined;
  return [query.startKey, token]
    .filter((k): k is string => !!k)
    .sort()
    .pop();
}

export function nextPageToken(name: string): string {
  return Buffer.from(name).toString('base64url');
}

/** One page of `items` by the name `nameOf` gives, with the same rules as the tables' pages. */
export function pageInMemory<T>(items: readonly T[], nameOf: (item: T) => string, query: ListQuery): Page<T> {
  const from = pageStart(query);
  const matching = items
    .filter((item) => !query.prefix || nameOf(item).startsWith(query.prefix))
    .filter((item) => from === undefined || nameOf(item) >= from)
    .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  const more = matching[query.limit];
  return {
    items: matching.slice(0, query.limit),
    nextToken: more === undefined ? undefined : nextPageToken(nameOf(more)),
  };
}

/** A token this server gave (the base64url form of a non-empty name), read back strictly; a forged one is refused. */
export function strictPageStart(token: string): string {
  const name = Buffer.from(token, 'base64url').toString();
  if (name === '' || nextPageToken(name) !== token)
    throw invalidArgument('nextToken is not a token this server gave');
  return name;
}
