-- rampart_app: the least-privilege role the application uses through RDS Proxy (IAM auth).
-- It reads and writes the application's tables in schema public and uses their sequences;
-- it cannot create, alter or drop anything, cannot touch schema_migrations, and has no access
-- to any other schema. The same file runs on RDS, local PostgreSQL and PGlite.

-- Roles are cluster-wide: create it once (two runners racing is fine).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rampart_app') THEN
    CREATE ROLE rampart_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- On RDS, IAM authentication (the proxy's end-to-end IAM) needs membership of rds_iam.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO rampart_app;
  END IF;
END
$$;

-- Session settings live on the role, never in the client (SET would pin proxy sessions).
ALTER ROLE rampart_app SET statement_timeout = '10s';
ALTER ROLE rampart_app SET idle_in_transaction_session_timeout = '15s';
ALTER ROLE rampart_app SET lock_timeout = '5s';

-- Only the owner creates objects in public (PostgreSQL 15+ default; explicit for older servers).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO rampart_app', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO rampart_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rampart_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rampart_app;
REVOKE ALL ON schema_migrations FROM rampart_app;

-- Tables and sequences later migrations create (as this same migration user) follow suit.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rampart_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rampart_app;
