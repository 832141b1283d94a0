-- The example app's tables (examples/hono-app, mounted at /api/v1/shop). A mounted app's migrations
-- live here, numbered 9000+ (a range Rampart's own never use), so that the deployed migration
-- trigger and the local stack apply exactly the same set with the same runner.
CREATE TABLE example_customers (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  email       text        NOT NULL UNIQUE CHECK (char_length(email) BETWEEN 3 AND 320),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE example_orders (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  uuid        NOT NULL REFERENCES example_customers (id) ON DELETE CASCADE,
  status       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'cancelled')),
  total_cents  integer     NOT NULL CHECK (total_cents >= 0),
  invoiced_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX example_orders_customer ON example_orders (customer_id, created_at DESC);

-- The app's background work: rows a job runner claims with SKIP LOCKED (no advisory locks: they pin
-- RDS Proxy sessions).
CREATE TABLE example_jobs (
  id          bigserial   PRIMARY KEY,
  kind        text        NOT NULL,
  order_id    uuid        NOT NULL REFERENCES example_orders (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  done_at     timestamptz
);
CREATE INDEX example_jobs_pending ON example_jobs (id) WHERE done_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON example_customers, example_orders, example_jobs TO rampart_app;
GRANT USAGE, SELECT ON SEQUENCE example_jobs_id_seq TO rampart_app;
