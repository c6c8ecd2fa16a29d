//! The owner transfers a conversation to another agent who is online and has room.

use leptos::prelude::*;

use crate::domain::{AgentId, Conversation, ConversationId};
use crate::error::ApiError;

/// The owner transfers the conversation to another agent who is online and has room, with an
/// optional note only agents see. The customer is told the new agent's name.
#[server(prefix = "/api", endpoint = "conversations/transfer", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn transfer(
    conversation_id: ConversationId,
    to_agent_id: AgentId,
    note: Option<String>,
) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};
    use crate::domain::Note;

    let note = Note::parse_optional(note.as_deref())?;
    let request = Request::Transfer {
        to: to_agent_id,
        note,
    };
    by_signed_in_agent(conversation_id, request).await
}
