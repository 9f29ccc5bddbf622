export { SqliteMetaStore } from './sqlite.js';
export type { ListQuery, MetaStore, Page, Stored } from './types.js';
