#!/usr/bin/env bash
# The PostgreSQL store (src/store/postgres/) is tested against Debian's PostgreSQL server: installs it, starts
# its cluster if it is not running, and makes the test role `kumo_test` (password `kumo_test`, CREATEDB) that
# the tests reach through KUMO_TEST_PG_URL (default postgres://kumo_test:kumo_test@127.0.0.1:5432/postgres).
# Every test creates and drops its own database. Safe to run again; quiet when done.
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=setup.d/postgres ./scripts/apt-install.sh postgresql
SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )

# The newest installed cluster (Debian creates `main` with the package); start it when it is down.
read -r version cluster status < <(pg_lsclusters --no-header | sort -V | tail -n 1 | awk '{print $1, $2, $4}')
if [ -z "${version:-}" ]; then
  echo "setup.d/postgres: no PostgreSQL cluster found (pg_lsclusters lists none)" >&2
  exit 1
fi
if [ "$status" != "online" ]; then
  $SUDO pg_ctlcluster "$version" "$cluster" start
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && sudo -u postgres "$@"); fi
}
for _ in $(seq 1 30); do
  as_postgres psql -qAtc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 1
done
if [ "$(as_postgres psql -qAtc "SELECT 1 FROM pg_roles WHERE rolname = 'kumo_test'")" != "1" ]; then
  as_postgres psql -qc "CREATE ROLE kumo_test LOGIN CREATEDB PASSWORD 'kumo_test'" >/dev/null
  echo "setup.d/postgres: created role kumo_test on PostgreSQL $version/$cluster"
fi
