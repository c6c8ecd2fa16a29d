-- Baton's schema on PostgreSQL. Times are milliseconds since the Unix epoch (UTC); ids are UUID text.
-- The same tables, constraints and indexes as migrations/sqlite/0001_init.sql.

CREATE TABLE agents (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    status        TEXT NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
    max_chats     INTEGER NOT NULL DEFAULT 5 CHECK (max_chats > 0),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE conversations (
    id             TEXT PRIMARY KEY NOT NULL,
    customer_name  TEXT NOT NULL,
    token_hash     TEXT NOT NULL,
    mode           TEXT NOT NULL DEFAULT 'ai' CHECK (mode IN ('ai', 'human', 'closed')),
    owner_id       TEXT REFERENCES agents (id),
    mode_since     BIGINT NOT NULL,
    waiting_reason TEXT,
    waiting_since  BIGINT,
    brief          TEXT,
    -- Bumped by every change of mode: the token of the conditional update.
    version        BIGINT NOT NULL DEFAULT 0,
    -- The last event's sequence number; events are numbered 1, 2, 3 … without gaps.
    last_seq       BIGINT NOT NULL DEFAULT 0,
    preview        TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK ((mode = 'human') = (owner_id IS NOT NULL))
);
CREATE INDEX conversations_activity ON conversations (updated_at DESC);
CREATE INDEX conversations_owner ON conversations (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE events (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    -- The event as JSON (the shared `EventKind` type).
    payload         TEXT NOT NULL,
    -- Who sent a message ('customer', 'ai', 'system', 'agent:<id>') and their idempotency key.
    sender          TEXT,
    client_id       TEXT,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX events_client_id ON events (conversation_id, sender, client_id)
    WHERE client_id IS NOT NULL;

CREATE TABLE kb_articles (
    slug       TEXT PRIMARY KEY NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
