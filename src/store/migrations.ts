import type Database from 'better-sqlite3';

/**
 * Versioned schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE services (
     name TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     etag TEXT NOT NULL
   );
   CREATE TABLE functions (
     service TEXT NOT NULL REFERENCES services(name),
     name TEXT NOT NULL,
     code_sha256 TEXT,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, name)
   );
   CREATE INDEX functions_code ON functions(code_sha256);`,
  `CREATE TABLE triggers (
     service TEXT NOT NULL,
     function TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, function, name),
     FOREIGN KEY (service, function) REFERENCES functions(service, name) ON DELETE CASCADE
   );
   CREATE INDEX triggers_type ON triggers(type);`,
  `CREATE TABLE custom_domains (
     name TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     etag TEXT NOT NULL
   );`,
  `CREATE TABLE async_invocations (
     id TEXT PRIMARY KEY,
     service TEXT NOT NULL,
     function TEXT NOT NULL,
     qualifier TEXT NOT NULL,
     payload BLOB NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     ended_at INTEGER,
     error TEXT,
     result BLOB
   );
   CREATE INDEX async_due ON async_invocations(status, next_attempt_at);`,
  // Releases: published versions (immutable snapshots), the code they hold, aliases, and async calls pinned
  // to the version their qualifier named when they were accepted.
  `CREATE TABLE versions (
     service TEXT NOT NULL REFERENCES services(name),
     id INTEGER NOT NULL,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, id)
   );
   CREATE TABLE version_code (
     service TEXT NOT NULL,
     version INTEGER NOT NULL,
     code_sha256 TEXT NOT NULL,
     FOREIGN KEY (service, version) REFERENCES versions(service, id) ON DELETE CASCADE
   );
   CREATE INDEX version_code_sha ON version_code(code_sha256);
   CREATE TABLE version_counters (
     service TEXT PRIMARY KEY,
     last_id INTEGER NOT NULL
   );
   CREATE TABLE aliases (
     service TEXT NOT NULL REFERENCES services(name),
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     extra_version INTEGER,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, name)
   );
   ALTER TABLE async_invocations ADD COLUMN version_id TEXT;`,
  // Layers: a counter and ACL per layer name, immutable versions. A deleted version keeps its row (flagged) so
  // that functions already using it keep running, as FC promises; it can no longer be seen or newly used.
  `CREATE TABLE layers (
     name TEXT PRIMARY KEY,
     last_version INTEGER NOT NULL,
     acl INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE layer_versions (
     name TEXT NOT NULL REFERENCES layers(name),
     version INTEGER NOT NULL,
     code_sha256 TEXT NOT NULL,
     deleted INTEGER NOT NULL DEFAULT 0,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (name, version)
   );
   CREATE INDEX layer_versions_code ON layer_versions(code_sha256);`,
  // 7 — capacity: provision and on-demand configs per function and qualifier (the config JSON in `data`).
  `CREATE TABLE capacity_configs (
     kind TEXT NOT NULL,
     service TEXT NOT NULL,
     qualifier TEXT NOT NULL,
     function TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (kind, service, qualifier, function)
   );`,
  // 8: async invoke configs per qualifier, and stateful async invocations: the caller's invocation id (unique
  // per function), a stop request flag, and `origin` for a destination delivery (the invocation it reports on).
  `CREATE TABLE async_configs (
     service TEXT NOT NULL,
     function TEXT NOT NULL,
     qualifier TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (service, function, qualifier),
     FOREIGN KEY (service, function) REFERENCES functions(service, name) ON DELETE CASCADE
   );
   ALTER TABLE async_invocations ADD COLUMN invocation_id TEXT;
   UPDATE async_invocations SET invocation_id = id;
   CREATE UNIQUE INDEX async_invocation_ids ON async_invocations(service, function, invocation_id);
   CREATE INDEX async_by_function ON async_invocations(service, function, created_at);
   ALTER TABLE async_invocations ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE async_invocations ADD COLUMN origin TEXT;`,
  // 9: tags on resources (`services/{name}`), removed with the resource.
  `CREATE TABLE resource_tags (
     resource TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (resource, key)
   );`,
];

/** Brings the database to the newest schema in one transaction; refuses a file from a newer Kumo. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the metadata store is at schema version ${current}, newer than this Kumo knows`);
  }
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] as string);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}
