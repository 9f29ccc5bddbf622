export { PgCodeBlobs } from './code-blobs.js';
export { MIGRATION_LOCK, migratePostgres, PG_MIGRATIONS } from './migrations.js';
export { PgSettings } from './settings.js';
export { PostgresMetaStore, type PostgresStoreOptions } from './store.js';
