-- Verified customers: who the host site's signed identity token says the customer is, and the
-- further keys that let the same verified customer resume a conversation on another device.
ALTER TABLE conversations ADD COLUMN customer_ref TEXT;
ALTER TABLE conversations ADD COLUMN customer_email TEXT;
CREATE INDEX conversations_customer_ref ON conversations (customer_ref, created_at)
    WHERE customer_ref IS NOT NULL;

CREATE TABLE customer_keys (
    token_hash      TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX customer_keys_conversation ON customer_keys (conversation_id);
