//! Arbitrary bytes as the JSON a client sends: socket frames and server-function arguments
//! decode or fail cleanly, never panic.
#![no_main]

use app::domain::{ClientId, ConversationId, MessageBody};
use app::live::ClientFrame;
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SendArgs {
    conversation_id: ConversationId,
    token: String,
    client_id: ClientId,
    body: MessageBody,
}

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<ClientFrame>(data);
    let _ = serde_json::from_slice::<SendArgs>(data);
});
