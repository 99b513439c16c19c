-- The webhooks store, version 1, for every dialect. Statements end with ";" at the end of a line.
-- The tokens in double braces are filled in by SqlDialect: the one place the dialects differ.
CREATE TABLE IF NOT EXISTS webhook_subscription (
  id UUID PRIMARY KEY,
  tenant_id VARCHAR(128) NOT NULL,
  url VARCHAR(2048) NOT NULL,
  description VARCHAR(1000) NOT NULL,
  enabled BOOLEAN NOT NULL,
  disabled_reason VARCHAR(32),
  filters {{TEXT}} NOT NULL,
  headers {{TEXT}} NOT NULL,
  metadata {{TEXT}} NOT NULL,
  secrets {{TEXT}} NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  secret_last_rotated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_delivered_at TIMESTAMP WITH TIME ZONE,
  failing_since TIMESTAMP WITH TIME ZONE,
  version BIGINT NOT NULL,
  -- Creation order, for listing oldest first (many subscriptions share a created_at).
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT webhook_subscription_tenant_url UNIQUE (tenant_id, url)
);
-- One row per filter of a subscription: fan-out is a lookup of the type, its prefixes and "*".
CREATE TABLE IF NOT EXISTS webhook_subscription_filter (
  subscription_id UUID NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
  tenant_id VARCHAR(128) NOT NULL,
  kind CHAR(1) NOT NULL,
  filter_value VARCHAR(128) NOT NULL,
  PRIMARY KEY (subscription_id, kind, filter_value)
);
CREATE INDEX IF NOT EXISTS webhook_subscription_filter_match ON webhook_subscription_filter (tenant_id, kind, filter_value);
CREATE TABLE IF NOT EXISTS webhook_event (
  id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(128) NOT NULL,
  type VARCHAR(128) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  payload {{BYTES}} NOT NULL,
  idempotency_key VARCHAR(255),
  CONSTRAINT webhook_event_idempotency UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS webhook_event_created ON webhook_event (created_at);
-- A publish writes one row per matching subscription in one statement, and per-row foreign-key
-- checks cost as much as the rows (on PostgreSQL, some 40% of a fan-out to 10,000). event_id has
-- none: a delivery is written only in its event's transaction, and retention deletes only events
-- that no delivery references. subscription_id has one on H2; on PostgreSQL the fan-out locks the
-- subscriptions it reads instead (FOR KEY SHARE, what each check would lock, once per subscription),
-- and a trigger deletes a deleted subscription's deliveries (after that lock: none is left behind).
CREATE TABLE IF NOT EXISTS webhook_delivery (
  id UUID PRIMARY KEY,
  tenant_id VARCHAR(128) NOT NULL,
  subscription_id UUID NOT NULL{{SUBSCRIPTION_REF}},
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(128) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempt_count INT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  next_attempt_at TIMESTAMP WITH TIME ZONE,
  delivered_at TIMESTAMP WITH TIME ZONE,
  last_http_status INT,
  last_error VARCHAR(500),
  lease_token VARCHAR(64),
  lease_expires_at TIMESTAMP WITH TIME ZONE,
  retry_requested_at TIMESTAMP WITH TIME ZONE,
  -- A test event's delivery is claimable once even while its subscription is disabled.
  bypass_disabled BOOLEAN DEFAULT FALSE NOT NULL,
  -- Creation order, for listing newest first.
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
-- Claims read pending deliveries in due order (a partial index where the dialect has them).
CREATE INDEX IF NOT EXISTS webhook_delivery_due ON webhook_delivery {{DUE_INDEX}};
{{DELIVERIES_GO_WITH_THEIR_SUBSCRIPTION}}
CREATE INDEX IF NOT EXISTS webhook_delivery_by_subscription ON webhook_delivery (subscription_id, seq);
CREATE INDEX IF NOT EXISTS webhook_delivery_by_tenant ON webhook_delivery (tenant_id, seq);
CREATE INDEX IF NOT EXISTS webhook_delivery_by_event ON webhook_delivery (event_id);
-- Retention purges finished deliveries by age (a partial index where the dialect has them: a publish
-- writes nothing to it).
CREATE INDEX IF NOT EXISTS webhook_delivery_created ON webhook_delivery {{FINISHED_INDEX}};
CREATE TABLE IF NOT EXISTS webhook_attempt (
  delivery_id UUID NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
  attempt_number INT NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL,
  duration_ms BIGINT NOT NULL,
  http_status INT NOT NULL,
  response_excerpt {{TEXT}} NOT NULL,
  error VARCHAR(500),
  PRIMARY KEY (delivery_id, attempt_number)
);
