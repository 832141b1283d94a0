-- Idempotency-Key records: one per (principal, route, key). A request first claims the key
-- (status in_progress, with a lease), then completes it in the same transaction as its write.
CREATE TABLE idempotency_keys (
  principal        text        NOT NULL,
  route            text        NOT NULL,
  key              text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
  request_hash     text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('in_progress', 'completed')),
  claim_token      uuid        NOT NULL,
  locked_until     timestamptz NOT NULL,
  response_status  integer,
  response_body    jsonb,
  response_headers jsonb,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (principal, route, key),
  CHECK (status = 'in_progress' OR response_status IS NOT NULL)
);

-- Purging expired records (a scheduled job) scans by expiry.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
