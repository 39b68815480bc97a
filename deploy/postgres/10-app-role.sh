#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory. The owner
# (POSTGRES_USER, "portal") owns the database and runs migrations; "portal_app" is what web,
# worker and beat connect as: it owns nothing, so it cannot ALTER, TRUNCATE or disable the
# audit trail's triggers. `manage.py migrate` (as the owner) grants it its privileges.
# An existing volume: run the CREATE ROLE once by hand (README, "Security").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE portal_app LOGIN PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
