-- Photos and documents messages carry. The bytes live in the database, so every node serves
-- them and a backup holds them; the message's event names the file (id, name, kind, size).
-- A conversation's files go with it.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- The seq of the message that carries the file.
    seq             BIGINT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    size            BIGINT NOT NULL,
    bytes           BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX attachments_conversation ON attachments (conversation_id);
