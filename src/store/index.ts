export type { AsyncInvocation, AsyncQueueStore, AsyncStatus } from './async-types.js';
export type { CapacityFilter, CapacityKey, CapacityStore } from './capacity-types.js';
export { pageInMemory } from './paging.js';
export { SqliteMetaStore } from './sqlite.js';
export type { ListQuery, MetaStore, Page, Stored, VersionQuery } from './types.js';
