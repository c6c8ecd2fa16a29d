//! The dashboard's reads (the list, one conversation with its whole log) and the owner's
//! messages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{
    ClientId, Conversation, ConversationId, Event, ListFilter, Message, MessageBody,
};
use crate::error::ApiError;

/// A conversation with its whole event log, as the chat panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub events: Vec<Event>,
}

/// The dashboard's conversation list: waiting ones first, then by latest activity.
#[server(prefix = "/api", endpoint = "conversations/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_conversations(filter: Option<ListFilter>) -> Result<Vec<Conversation>, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    Ok(services
        .store
        .list_conversations(filter.unwrap_or_default(), agent.id, 500)
        .await?)
}

/// One conversation and its full event log (notes and reasons included: agents only).
#[server(prefix = "/api", endpoint = "conversations/get", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn get_conversation(
    conversation_id: ConversationId,
) -> Result<ConversationDetail, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await?;
    let conversation = services.store.conversation(conversation_id).await?;
    let events = services.store.events(conversation_id, 0, 10_000).await?;
    Ok(ConversationDetail {
        conversation,
        events,
    })
}

/// Sends a message as the owning agent. A repeated `client_id` returns the first message.
#[server(prefix = "/api", endpoint = "conversations/send", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn send_message(
    conversation_id: ConversationId,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    use crate::backend::{auth, handoff, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    handoff::send_as_agent(&services, conversation_id, &agent, client_id, body).await
}
