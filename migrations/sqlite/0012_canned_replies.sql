-- Canned replies, managed by supervisors: a shortcut agents type ("/sorry"), the language of
-- the customers it is for, and a text with {customer_name} and {agent_name} filled in when it
-- is inserted. A retired reply stays for the record and frees its shortcut.
CREATE TABLE canned_replies (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    shortcut   TEXT NOT NULL,
    language   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies (language, shortcut)
    WHERE retired_at IS NULL;

-- The replies every team starts with, in English and Indonesian.
INSERT INTO canned_replies (id, title, shortcut, language, body, created_at, updated_at) VALUES
    ('canned-greet-en', 'Greeting', '/greet', 'en',
     'Hi {customer_name}! I''m {agent_name} and I''m here to help. Could you tell me a little more about what happened?', 0, 0),
    ('canned-order-en', 'Ask for the order number', '/order', 'en',
     'Could you share your order number so I can look it up?', 0, 0),
    ('canned-sorry-en', 'Apology', '/sorry', 'en',
     'I''m sorry for the trouble. Let me sort this out for you right away.', 0, 0),
    ('canned-refund-en', 'Refund approved', '/refund', 'en',
     'Your refund is approved. It reaches you within 3–10 business days, depending on how you paid.', 0, 0),
    ('canned-thanks-en', 'Thanks', '/thanks', 'en',
     'Thank you for your patience! Is there anything else I can help you with?', 0, 0),
    ('canned-greet-id', 'Salam pembuka', '/greet', 'id',
     'Halo {customer_name}! Saya {agent_name}, siap membantu. Boleh ceritakan sedikit lebih lanjut apa yang terjadi?', 0, 0),
    ('canned-order-id', 'Minta nomor pesanan', '/order', 'id',
     'Boleh minta nomor pesanan Anda supaya saya bisa memeriksanya?', 0, 0),
    ('canned-sorry-id', 'Permintaan maaf', '/sorry', 'id',
     'Mohon maaf atas ketidaknyamanannya. Saya akan segera membantu menyelesaikannya.', 0, 0),
    ('canned-refund-id', 'Refund disetujui', '/refund', 'id',
     'Refund Anda sudah disetujui. Dana akan masuk dalam 3–10 hari kerja, tergantung metode pembayaran Anda.', 0, 0),
    ('canned-thanks-id', 'Terima kasih', '/thanks', 'id',
     'Terima kasih atas kesabaran Anda! Ada lagi yang bisa saya bantu?', 0, 0);
