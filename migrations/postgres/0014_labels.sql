-- Labels and priority: how a team sorts its conversations. Supervisors keep the list of
-- labels (`name_key`: the name in lower case, so "VIP" and "vip" are one label); agents put
-- them on conversations and set each conversation's priority. Removing a label takes it off
-- every conversation; the log keeps what was done with it, by name.
CREATE TABLE labels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    color      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE conversation_labels (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label_id        TEXT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, label_id)
);
CREATE INDEX conversation_labels_label ON conversation_labels (label_id, conversation_id);

ALTER TABLE conversations ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';

-- The labels every team starts with.
INSERT INTO labels (id, name, name_key, color, created_at, updated_at) VALUES
    ('label-refund', 'Refund', 'refund', 'amber', 0, 0),
    ('label-delivery', 'Delivery', 'delivery', 'blue', 0, 0),
    ('label-bug', 'Bug', 'bug', 'red', 0, 0),
    ('label-vip', 'VIP', 'vip', 'purple', 0, 0);
