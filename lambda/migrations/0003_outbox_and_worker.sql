-- Transactional outbox: domain events are written in the same transaction as the change and
-- published to SQS after commit; unpublished rows are retried by the next flush.
CREATE TABLE outbox (
  id           uuid        PRIMARY KEY,
  event_type   text        NOT NULL,
  aggregate_id uuid        NOT NULL,
  payload      jsonb       NOT NULL,
  occurred_at  timestamptz NOT NULL,
  published_at timestamptz,
  attempts     integer     NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unpublished_idx ON outbox (occurred_at, id) WHERE published_at IS NULL;

-- Worker idempotency: an event id is recorded in the transaction that does its work.
CREATE TABLE processed_events (
  event_id     uuid        PRIMARY KEY,
  event_type   text        NOT NULL,
  processed_at timestamptz NOT NULL
);

-- Liveness of the worker: exactly one row, updated on every batch.
CREATE TABLE worker_heartbeat (
  id        boolean     PRIMARY KEY DEFAULT true CHECK (id),
  last_seen timestamptz NOT NULL
);

-- What the worker does with project events: an activity trail per project.
CREATE TABLE project_activity (
  event_id    uuid        PRIMARY KEY,
  project_id  uuid        NOT NULL,
  event_type  text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX project_activity_project_idx ON project_activity (project_id, occurred_at);
