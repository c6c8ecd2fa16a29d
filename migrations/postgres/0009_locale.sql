-- The customer's language (`en`, `id`): chosen from the browser or on the page, and the
-- language of every notice Baton sends them. Conversations from before it are English.
ALTER TABLE conversations ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
