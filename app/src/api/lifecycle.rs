//! Closing a conversation and reopening a closed one; the rule book decides who may.

use leptos::prelude::*;

use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;

/// Closes a conversation (the owner's, or one the AI handles). The customer is told.
#[server(prefix = "/api", endpoint = "conversations/close", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn close(conversation_id: ConversationId) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};

    by_signed_in_agent(conversation_id, Request::Close).await
}

/// Reopens a closed conversation; the AI handles it again.
#[server(prefix = "/api", endpoint = "conversations/reopen", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn reopen(conversation_id: ConversationId) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};

    by_signed_in_agent(conversation_id, Request::Reopen).await
}
