//! Taking a conversation over from the AI, and a supervisor's forced takeover with a reason.

use leptos::prelude::*;

use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;

/// Takes a conversation over from the AI. The customer is told, in the product's words, who
/// now helps them; the AI goes silent. Of several agents racing, exactly one wins; the others
/// get 409 naming the winner.
#[server(prefix = "/api", endpoint = "conversations/takeover", input = server_fn::codec::Json)]
pub async fn takeover(conversation_id: ConversationId) -> Result<Conversation, ApiError> {
    use crate::backend::{auth, handoff, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    handoff::apply(
        &services,
        conversation_id,
        &agent,
        handoff::Request::TakeOver,
    )
    .await
}

/// A supervisor takes a conversation from the agent who holds it, with a required reason.
/// The previous owner sees the reason; the customer is told who now helps them.
#[server(prefix = "/api", endpoint = "conversations/force_takeover", input = server_fn::codec::Json)]
pub async fn force_takeover(
    conversation_id: ConversationId,
    reason: String,
) -> Result<Conversation, ApiError> {
    use crate::backend::{auth, handoff, Services};
    use crate::domain::Note;

    let services = Services::from_context()?;
    let reason = Note::parse(&reason)
        .map_err(|_| ApiError::bad_input("Say why you take this conversation over"))?;
    let agent = auth::current_agent(&services).await?;
    handoff::apply(
        &services,
        conversation_id,
        &agent,
        handoff::Request::ForceTakeOver { reason },
    )
    .await
}
