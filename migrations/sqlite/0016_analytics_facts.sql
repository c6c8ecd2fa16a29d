-- What the analytics count, kept per conversation: its log folded into facts (waits, agents'
-- turns, transfers, handovers, the close; the shared `Facts` type as JSON), so a report reads
-- one row per conversation active in its range instead of every event. A conversation whose
-- `last_seq` is past `folded_seq` (or without a row) is folded again before a report.
CREATE TABLE analytics_facts (
    conversation_id TEXT PRIMARY KEY NOT NULL REFERENCES conversations (id),
    -- The last event folded into `facts`.
    folded_seq      INTEGER NOT NULL,
    -- The first and the last moment a figure starts at (the start, a wait, an agent getting
    -- it, a transfer, a handover); -1 for none.
    first_at        INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    facts           TEXT NOT NULL
);
CREATE INDEX analytics_facts_span ON analytics_facts (last_at, first_at);
