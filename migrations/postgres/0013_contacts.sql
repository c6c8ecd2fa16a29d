-- The customer as a person. `visitor_id`: the browser a conversation was started in — a new
-- chat names the conversation the browser held before (proven by its token) and takes its
-- visitor, so a returning customer's earlier conversations are found; every earlier
-- conversation is a visitor of its own. `customer_device` and `customer_page`: the browser
-- and system ("Chrome on Android") and the page the chat started from, when known.
ALTER TABLE conversations ADD COLUMN visitor_id TEXT;
ALTER TABLE conversations ADD COLUMN customer_device TEXT;
ALTER TABLE conversations ADD COLUMN customer_page TEXT;
UPDATE conversations SET visitor_id = id WHERE visitor_id IS NULL;
CREATE INDEX conversations_visitor ON conversations (visitor_id, created_at);
