-- The nodes serving one database, each seen within the last seconds: they share the rate
-- limits (each node allows its share). One SQLite node never needs it; it exists so both
-- stores keep one schema.
CREATE TABLE nodes (
    id      TEXT PRIMARY KEY NOT NULL,
    seen_at INTEGER NOT NULL
);
