-- Projects: the first domain resource. `version` drives ETags and optimistic concurrency.
CREATE TABLE projects (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description text        CHECK (char_length(description) <= 2000),
  status      text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
  owner_sub   text        NOT NULL CHECK (char_length(owner_sub) BETWEEN 1 AND 256),
  version     integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Keyset pagination: every sortable column paired with the id tiebreaker.
CREATE INDEX projects_name_id_idx ON projects (name, id);
CREATE INDEX projects_created_at_id_idx ON projects (created_at, id);
CREATE INDEX projects_updated_at_id_idx ON projects (updated_at, id);
CREATE INDEX projects_owner_created_idx ON projects (owner_sub, created_at, id);
CREATE INDEX projects_status_created_idx ON projects (status, created_at, id);
