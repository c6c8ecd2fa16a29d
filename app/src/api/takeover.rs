//! Taking a conversation over from the AI, and a supervisor's forced takeover with a reason.

use leptos::prelude::*;

use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;

/// Takes a conversation over from the AI. The customer is told, in the product's words, who
/// now helps them; the AI goes silent. Of several agents racing, exactly one wins; the others
/// get 409 naming the winner.
#[server(prefix = "/api", endpoint = "conversations/takeover", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn takeover(conversation_id: ConversationId) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};

    by_signed_in_agent(conversation_id, Request::TakeOver).await
}

/// A supervisor takes a conversation from the agent who holds it, with a required reason.
/// The previous owner sees the reason; the customer is told who now helps them.
#[server(prefix = "/api", endpoint = "conversations/force_takeover", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn force_takeover(
    conversation_id: ConversationId,
    reason: String,
) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};
    use crate::domain::Note;

    let reason = Note::parse(&reason)
        .map_err(|_| ApiError::bad_input("Say why you take this conversation over"))?;
    by_signed_in_agent(conversation_id, Request::ForceTakeOver { reason }).await
}
