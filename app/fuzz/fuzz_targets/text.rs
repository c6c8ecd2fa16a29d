//! Arbitrary text into every parsed domain value: no panic, and what is accepted keeps the
//! type's promise.
#![no_main]

use app::domain::{AgentId, ClientId, ConversationId, DisplayName, Email, MessageBody, Note, MAX_BODY_CHARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(body) = MessageBody::parse(text) {
        assert!(!body.as_str().is_empty());
        assert!(body.as_str().chars().count() <= MAX_BODY_CHARS);
    }
    if let Ok(name) = DisplayName::parse(text) {
        assert!(!name.as_str().chars().any(char::is_control));
    }
    if let Ok(id) = ClientId::parse(text) {
        assert!(id.as_str().len() <= 64);
    }
    let _ = Note::parse(text);
    let _ = Email::parse(text);
    let _ = ConversationId::parse(text);
    let _ = AgentId::parse(text);
});
