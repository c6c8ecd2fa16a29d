-- Search (README, "Search"): customers' names and the text of every message but Baton's own
-- notices, closed conversations included. One document per name and per message, so a write
-- indexes only what it adds; a conversation matches when its documents hold every term
-- between them. Triggers keep the documents in step, in the transaction of the write.
-- The same documents as migrations/sqlite/0010_search.sql.

-- Whose each document is (seq 0 holds the customer's name, any other seq that message) and
-- its words.
CREATE TABLE search_docs (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             BIGINT NOT NULL,
    document        TSVECTOR NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- The words of a text. The 'simple' configuration lower-cases and stems no language
-- (customers write English and Indonesian); punctuation is read as space first, so that,
-- as in SQLite's tokenizer, 'sari@example.com' or 'order-1234' are words of their own.
CREATE FUNCTION search_words(body TEXT) RETURNS TSVECTOR AS $$
    SELECT to_tsvector('simple', regexp_replace(COALESCE(body, ''), '[[:punct:]]+', ' ', 'g'))
$$ LANGUAGE SQL IMMUTABLE;

CREATE FUNCTION search_index_name() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_docs (conversation_id, seq, document)
    VALUES (NEW.id, 0, search_words(NEW.customer_name))
    ON CONFLICT (conversation_id, seq) DO UPDATE SET document = excluded.document;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- A verified customer's name replaces the typed one.
CREATE TRIGGER conversations_search_name AFTER INSERT OR UPDATE OF customer_name
ON conversations FOR EACH ROW EXECUTE FUNCTION search_index_name();

CREATE FUNCTION search_index_message() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_docs (conversation_id, seq, document)
    VALUES (NEW.conversation_id, NEW.seq, search_words(NEW.payload::jsonb #>> '{message,body}'));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_search AFTER INSERT ON events FOR EACH ROW
WHEN (NEW.kind = 'message' AND NEW.sender IS DISTINCT FROM 'system')
EXECUTE FUNCTION search_index_message();

-- What was written before (the triggers above already hold off writers of other nodes
-- until this migration commits, so nothing slips between).
INSERT INTO search_docs (conversation_id, seq, document)
    SELECT id, 0, search_words(customer_name) FROM conversations;
INSERT INTO search_docs (conversation_id, seq, document)
    SELECT conversation_id, seq, search_words(payload::jsonb #>> '{message,body}') FROM events
    WHERE kind = 'message' AND sender IS DISTINCT FROM 'system';
CREATE INDEX search_docs_document ON search_docs USING GIN (document);

-- The list's order (app::domain::ListCursor::sort_key): waiting first, the longest wait on
-- top, then the latest activity, then the id. Pages of the list seek in it.
CREATE INDEX conversations_list ON conversations (
    (CASE WHEN waiting_since IS NULL THEN 1 ELSE 0 END), (COALESCE(waiting_since, 0)),
    (-updated_at), id
);
