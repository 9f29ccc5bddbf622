export type {
  AsyncConfigStore,
  AsyncInvocation,
  AsyncListQuery,
  AsyncQueueStore,
  AsyncStatus,
  FinalAsyncStatus,
  StopResult,
} from './async-types.js';
export type { CapacityFilter, CapacityKey, CapacityStore } from './capacity-types.js';
export { pageInMemory } from './paging.js';
export { SqliteMetaStore } from './sqlite.js';
export type { ListQuery, MetaStore, Page, Stored, VersionQuery } from './types.js';
