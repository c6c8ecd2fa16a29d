-- Customer satisfaction: a 1–5 rating (and an optional comment) after an agent closes a
-- conversation, once per close, attributed to the agent who last owned it (none: the AI).
CREATE TABLE csat_ratings (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    -- The seq of the close the rating follows: one rating per segment of the conversation.
    segment_seq     BIGINT NOT NULL,
    agent_id        TEXT REFERENCES agents (id),
    agent_name      TEXT,
    rating          INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment         TEXT,
    at              BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, segment_seq)
);
CREATE INDEX csat_ratings_at ON csat_ratings (at);
