-- Whether the agent let the AI pass the handover brief on to the customer (1), or the brief
-- is guidance the customer never reads (0, every brief from before this).
ALTER TABLE conversations ADD COLUMN brief_for_customer INTEGER NOT NULL DEFAULT 0;
