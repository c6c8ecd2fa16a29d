-- Webhooks: the endpoints admins register, an outbox of deliveries written in the same
-- transaction as the events they carry, and every attempt at each.

CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY NOT NULL,
    url                   TEXT NOT NULL,
    -- '*' for every event type, or the chosen types joined by commas.
    events                TEXT NOT NULL,
    enabled               INTEGER NOT NULL,
    disabled_reason       TEXT,
    -- The signing key, base64 (shown once as whsec_<key>); the one before the last rotation
    -- still signs until previous_until.
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_until        INTEGER,
    created_at            INTEGER NOT NULL
);

-- One event for one endpoint. The id is the webhook-id of every attempt. The payload is
-- read from the event log when sent: (conversation_id, seq) names the event.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When the next attempt is due (NULL once delivered or failed).
    next_attempt_at INTEGER,
    -- A node sending it holds it until then; after that (the node died) another may.
    claimed_until   INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    -- The receiver's HTTP status; NULL when it could not be reached or timed out.
    status      INTEGER,
    latency_ms  INTEGER NOT NULL,
    -- The first kilobyte of the answer, or what went wrong.
    response    TEXT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, at);
