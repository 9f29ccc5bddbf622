import type pg from 'pg';

/** Names compare byte by byte (`COLLATE "C"`), as in SQLite, whatever the database's locale. */
const NAME = 'TEXT COLLATE "C" NOT NULL';

/**
 * Versioned schema migrations, applied in order; `kumo_schema.version` records how many ran. Never edit a
 * released migration: add a new one. The first one is the whole schema of the SQLite store at its version 9
 * (same tables and columns), plus the shared code packages and settings only a shared store needs.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE services (name ${NAME} PRIMARY KEY, data TEXT NOT NULL, etag TEXT NOT NULL);
   CREATE TABLE functions (
     service ${NAME} REFERENCES services(name),
     name ${NAME},
     code_sha256 TEXT,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, name)
   );
   CREATE INDEX functions_code ON functions(code_sha256);
   CREATE TABLE triggers (
     service ${NAME},
     function ${NAME},
     name ${NAME},
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, function, name),
     FOREIGN KEY (service, function) REFERENCES functions(service, name) ON DELETE CASCADE
   );
   CREATE INDEX triggers_type ON triggers(type);
   CREATE TABLE custom_domains (name ${NAME} PRIMARY KEY, data TEXT NOT NULL, etag TEXT NOT NULL);
   CREATE TABLE versions (
     service ${NAME} REFERENCES services(name),
     id INTEGER NOT NULL,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, id)
   );
   CREATE TABLE version_code (
     service ${NAME},
     version INTEGER NOT NULL,
     code_sha256 TEXT NOT NULL,
     FOREIGN KEY (service, version) REFERENCES versions(service, id) ON DELETE CASCADE
   );
   CREATE INDEX version_code_sha ON version_code(code_sha256);
   CREATE TABLE version_counters (service ${NAME} PRIMARY KEY, last_id INTEGER NOT NULL);
   CREATE TABLE aliases (
     service ${NAME} REFERENCES services(name),
     name ${NAME},
     version INTEGER NOT NULL,
     extra_version INTEGER,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (service, name)
   );
   CREATE TABLE layers (name ${NAME} PRIMARY KEY, last_version INTEGER NOT NULL, acl INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE layer_versions (
     name ${NAME} REFERENCES layers(name),
     version INTEGER NOT NULL,
     code_sha256 TEXT NOT NULL,
     deleted BOOLEAN NOT NULL DEFAULT false,
     data TEXT NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (name, version)
   );
   CREATE INDEX layer_versions_code ON layer_versions(code_sha256);
   CREATE TABLE capacity_configs (
     kind TEXT NOT NULL,
     service ${NAME},
     qualifier ${NAME},
     function ${NAME},
     data TEXT NOT NULL,
     PRIMARY KEY (kind, service, qualifier, function)
   );
   CREATE TABLE async_configs (
     service ${NAME},
     function ${NAME},
     qualifier ${NAME},
     data TEXT NOT NULL,
     PRIMARY KEY (service, function, qualifier),
     FOREIGN KEY (service, function) REFERENCES functions(service, name) ON DELETE CASCADE
   );
   CREATE TABLE async_invocations (
     id TEXT PRIMARY KEY,
     invocation_id ${NAME},
     service ${NAME},
     function ${NAME},
     qualifier TEXT NOT NULL,
     version_id TEXT,
     payload BYTEA NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     created_at BIGINT NOT NULL,
     started_at BIGINT,
     ended_at BIGINT,
     error TEXT,
     result BYTEA,
     stop_requested BOOLEAN NOT NULL DEFAULT false,
     origin TEXT
   );
   CREATE UNIQUE INDEX async_invocation_ids ON async_invocations(service, function, invocation_id);
   CREATE INDEX async_due ON async_invocations(status, next_attempt_at);
   CREATE INDEX async_by_function ON async_invocations(service, function, created_at);
   CREATE TABLE resource_tags (
     resource ${NAME},
     key ${NAME},
     value TEXT NOT NULL,
     PRIMARY KEY (resource, key)
   );
   CREATE TABLE code_packages (
     sha256 TEXT PRIMARY KEY,
     size BIGINT NOT NULL,
     chunks INTEGER NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE code_chunks (
     sha256 TEXT NOT NULL REFERENCES code_packages(sha256) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (sha256, seq)
   );
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** The advisory lock every node takes around migrating ('kumo' in ASCII): one migrates, the others wait. */
export const MIGRATION_LOCK = 0x6b756d6f;

/**
 * Brings the database to the newest schema. Safe when several nodes start at once: under a session advisory
 * lock, each migration runs in its own transaction with the version bump. Refuses a database from a newer Kumo.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS kumo_schema (version INTEGER NOT NULL)');
    const found = await client.query<{ version: number }>('SELECT version FROM kumo_schema');
    const current = found.rows[0]?.version ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new Error(`the PostgreSQL store is at schema version ${current}, newer than this Kumo knows`);
    }
    for (let version = current; version < PG_MIGRATIONS.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_MIGRATIONS[version] as string);
        await client.query('DELETE FROM kumo_schema');
        await client.query('INSERT INTO kumo_schema (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
