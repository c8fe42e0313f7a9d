#!/bin/sh
# The database's roles, so that nothing but the database itself runs as the superuser
# (docs/security.md). Run once by the PostgreSQL image's entrypoint when it creates the cluster
# (/docker-entrypoint-initdb.d), and by the native stack (stack/services/postgres.py) with its
# database; on an existing cluster, run it by hand with the same variables:
#   DB_OWNER_USER  owns the schema; prestart migrates and creates the first admin with it
#   DB_APP_USER    the backend: reads and writes rows, cannot create, alter or drop anything
#   DB_EXPORTER_USER  postgres-exporter: pg_monitor, no access to the application's tables
#   DB_BACKUP_USER    the backup service: pgBackRest's backups (pg_backup_start/stop, WAL
#                     switches, restore points, the settings it checks) and pg_dump (reads all
#                     rows); it changes no data and no schema
set -eu
# Both compose files set the roles; a container started without them gets none (every client
# then logs in as POSTGRES_USER). No `exit`: the image's entrypoint sources this file when it is
# not executable.
if [ -z "${DB_OWNER_USER:-}" ]; then
    echo "10-roles: DB_OWNER_USER is not set: no separate roles"
else
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner="$DB_OWNER_USER" -v owner_password="$DB_OWNER_PASSWORD" \
    -v app="$DB_APP_USER" -v app_password="$DB_APP_PASSWORD" \
    -v exporter="$DB_EXPORTER_USER" -v exporter_password="$DB_EXPORTER_PASSWORD" \
    -v backup="$DB_BACKUP_USER" -v backup_password="$DB_BACKUP_PASSWORD" <<'SQL'
-- Idempotent: on an existing cluster it adds the roles that are missing and sets every
-- password, so an upgrade (a new role) is one more run of this script.
SELECT format('CREATE ROLE %I', name) FROM (VALUES (:'owner'), (:'app'), (:'exporter'), (:'backup'))
    AS wanted(name) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE :"owner" LOGIN PASSWORD :'owner_password';
ALTER ROLE :"app" LOGIN PASSWORD :'app_password';
ALTER ROLE :"exporter" LOGIN PASSWORD :'exporter_password';
GRANT pg_monitor TO :"exporter";
-- What pgBackRest 2.45 calls as a non-superuser (its `check`, `backup` and `stanza-create` pass
-- with exactly these), and pg_read_all_data for pg_dump. Function grants hold in this database
-- only: pgBackRest connects to it (PGBACKREST_PG1_DATABASE), not to `postgres`.
ALTER ROLE :"backup" LOGIN PASSWORD :'backup_password';
GRANT pg_read_all_settings, pg_read_all_data TO :"backup";
GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean), pg_backup_stop(boolean),
    pg_switch_wal(), pg_create_restore_point(text) TO :"backup";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"owner", :"app";
GRANT CONNECT ON DATABASE :"db" TO :"exporter", :"backup";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";
-- Whatever the owner's migrations create, the backend may use, and only use.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
fi
