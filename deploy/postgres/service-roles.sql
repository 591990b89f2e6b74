-- One Postgres role per service, owning its own schema and allowed nothing else: a service's
-- credentials cannot read or change another service's tables, nor create schemas, databases
-- or roles. Each service still runs its own migrations (tables, and its `migrations` table,
-- inside its schema).
--
-- The postgres image runs this once, on a fresh data volume (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d), as the superuser, in the database the services use. It is
-- idempotent: run it again by hand with `psql -v ON_ERROR_STOP=1 -f` to reset the passwords.
--
-- Each role's password is read from a file (a Docker secret) in :secrets_dir, by default
-- /run/secrets: <service>-db-password, at least 16 characters. Each service's
-- DB_CONNECTION_URI_FILE holds postgres://<role>:<that password>@postgres:5432/postgres.
-- Schema and role names are fixed by the services (apps/<service>/src/*.database.ts).

\set ON_ERROR_STOP on
\if :{?secrets_dir}
\else
  \set secrets_dir /run/secrets
\endif

-- Nothing for PUBLIC: only the roles below may connect, and only the superuser creates
-- anything in the database (Postgres 15 already took CREATE on schema public from PUBLIC).
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Each service: its role (re)created with its password, its schema owned by it (service-role.psql;
-- not a .sql file, so the postgres image runs it only through this script).
\set role user_service
\set password_file user-service-db-password
\ir service-role.psql

\set role organization_service
\set password_file organization-service-db-password
\ir service-role.psql

\set role identity_service
\set password_file identity-service-db-password
\ir service-role.psql

\set role saga_orchestrator
\set password_file saga-orchestrator-db-password
\ir service-role.psql
