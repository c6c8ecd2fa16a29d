-- Search (README, "Search"): customers' names and the text of every message but Baton's own
-- notices, closed conversations included. One document per name and per message, so a write
-- indexes only what it adds; a conversation matches when its documents hold every term
-- between them. Triggers keep the documents in step, in the transaction of the write.

-- Whose each document is: seq 0 holds the customer's name, any other seq that message.
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- The words alone (contentless: the text stays in conversations and events); the rowid is
-- search_docs.id. Letters keep their accents and every non-letter, non-digit separates
-- words, as on PostgreSQL.
CREATE VIRTUAL TABLE search_text USING fts5(
    body, content = '', tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER conversations_search_name AFTER INSERT ON conversations
BEGIN
    INSERT INTO search_docs (conversation_id, seq) VALUES (NEW.id, 0);
    INSERT INTO search_text (rowid, body)
        SELECT id, NEW.customer_name FROM search_docs WHERE conversation_id = NEW.id AND seq = 0;
END;

-- A verified customer's name replaces the typed one (a contentless table forgets a
-- document given the words it held).
CREATE TRIGGER conversations_search_rename AFTER UPDATE OF customer_name ON conversations
WHEN NEW.customer_name IS NOT OLD.customer_name
BEGIN
    INSERT INTO search_text (search_text, rowid, body)
        SELECT 'delete', id, OLD.customer_name FROM search_docs
        WHERE conversation_id = NEW.id AND seq = 0;
    INSERT INTO search_text (rowid, body)
        SELECT id, NEW.customer_name FROM search_docs WHERE conversation_id = NEW.id AND seq = 0;
END;

CREATE TRIGGER events_search AFTER INSERT ON events
WHEN NEW.kind = 'message' AND NEW.sender IS NOT 'system'
BEGIN
    INSERT INTO search_docs (conversation_id, seq) VALUES (NEW.conversation_id, NEW.seq);
    INSERT INTO search_text (rowid, body)
        SELECT id, json_extract(NEW.payload, '$.message.body') FROM search_docs
        WHERE conversation_id = NEW.conversation_id AND seq = NEW.seq;
END;

-- What was written before.
INSERT INTO search_docs (conversation_id, seq) SELECT id, 0 FROM conversations;
INSERT INTO search_docs (conversation_id, seq)
    SELECT conversation_id, seq FROM events
    WHERE kind = 'message' AND sender IS NOT 'system' ORDER BY conversation_id, seq;
INSERT INTO search_text (rowid, body)
    SELECT d.id, c.customer_name FROM search_docs d JOIN conversations c ON c.id = d.conversation_id
    WHERE d.seq = 0;
INSERT INTO search_text (rowid, body)
    SELECT d.id, json_extract(e.payload, '$.message.body') FROM search_docs d
    JOIN events e ON e.conversation_id = d.conversation_id AND e.seq = d.seq;

-- The list's order (app::domain::ListCursor::sort_key): waiting first, the longest wait on
-- top, then the latest activity, then the id. Pages of the list seek in it.
CREATE INDEX conversations_list ON conversations (
    (CASE WHEN waiting_since IS NULL THEN 1 ELSE 0 END), COALESCE(waiting_since, 0),
    -updated_at, id
);
