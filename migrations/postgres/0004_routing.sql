-- Routing: the queue's history, the reply timer, fair auto-assignment, the customer's e-mail.

-- Since when the owner owes the customer an answer (the reply timer); NULL: nothing owed.
ALTER TABLE conversations ADD COLUMN reply_due_since BIGINT;
-- The e-mail address the customer left while nobody was online.
ALTER TABLE conversations ADD COLUMN contact_email TEXT;
-- When the agent was last given a conversation: ties in auto-assignment go to the longest idle.
ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT;

-- Every wait for a human that ended: how long it lasted and how (the queue's estimate and
-- the time-to-human figures read it). 'served': a person took over or was assigned;
-- 'closed': closed while waiting.
CREATE TABLE queue_waits (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    reason          TEXT NOT NULL,
    since           BIGINT NOT NULL,
    ended_at        BIGINT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('served', 'closed')),
    agent_id        TEXT
);
CREATE INDEX queue_waits_ended ON queue_waits (ended_at);
CREATE INDEX conversations_queue ON conversations (waiting_since) WHERE waiting_since IS NOT NULL;
CREATE INDEX conversations_reply_due ON conversations (reply_due_since)
    WHERE reply_due_since IS NOT NULL;
