//! The customer's side of the API: start a conversation, send, read the history, ask for a
//! person. Each function authorizes nothing itself: the customer's token is checked in
//! [`crate::backend::chat`], which does the work.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{Answering, ClientId, ConversationId, Event, Locale, Message, MessageBody};
use crate::error::ApiError;

#[cfg(feature = "ssr")]
use super::language_of;

/// A started conversation and the token that lets this customer use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatStarted {
    pub conversation_id: ConversationId,
    /// Keep it secret: it is the customer's only key to the conversation.
    pub token: String,
}

/// What the customer may see of their conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatView {
    /// Visible events after `after_seq`, in order.
    pub events: Vec<Event>,
    /// Who answers now.
    pub answering: Answering,
    /// The latest seq in the conversation (to resume from).
    pub last_seq: u64,
    /// The customer is asked for a rating after a handover back to the AI too.
    #[serde(default)]
    pub csat_after_handover: bool,
    /// The conversation's language: the page shows itself in it.
    #[serde(default)]
    pub locale: Locale,
}

/// Starts a conversation with the AI assistant. `identity`: the host site's signed token for
/// a customer it has signed in (see the chat widget's `Baton.identify`); a verified customer
/// with an open conversation resumes it instead. A refused token starts nothing. `locale`:
/// the customer's language (default: the browser's `Accept-Language`, else English).
/// `previous_conversation_id` and `previous_token`: the conversation this browser held before,
/// so the agents see the customer's earlier conversations (ignored unless the token is that
/// conversation's). `page`: the page the chat starts from (the widget's host page), an
/// absolute http(s) URL.
#[server(prefix = "/api", endpoint = "chat/start", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn start_chat(
    display_name: Option<String>,
    identity: Option<String>,
    locale: Option<String>,
    previous_conversation_id: Option<ConversationId>,
    previous_token: Option<String>,
    page: Option<String>,
) -> Result<ChatStarted, ApiError> {
    use crate::backend::chat::{self, CameFrom};
    use crate::backend::Services;

    let locale = locale.as_deref().map(language_of).transpose()?;
    let services = Services::from_context()?;
    let came_from = CameFrom {
        held: previous_conversation_id.zip(previous_token.as_deref()),
        page: page.as_deref(),
    };
    let (conversation_id, token) = chat::start(
        &services,
        display_name.as_deref(),
        identity.as_deref(),
        locale,
        came_from,
    )
    .await?;
    Ok(ChatStarted {
        conversation_id,
        token,
    })
}

/// The host site identified the customer: checks its signed `identity` token and answers
/// which conversation this browser should show — the one it holds (`conversation_id` and
/// `token`, now marked verified if it was anonymous), the customer's open conversation from
/// another device, or none (the start form). A refused token is a 401 and changes nothing.
#[server(prefix = "/api", endpoint = "chat/identify", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn identify_chat(
    identity: String,
    conversation_id: Option<ConversationId>,
    token: Option<String>,
) -> Result<Option<ChatStarted>, ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    let held = conversation_id.zip(token);
    let shown = chat::identify(
        &services,
        &identity,
        held.as_ref().map(|(id, token)| (*id, token.as_str())),
    )
    .await?;
    Ok(shown.map(|(conversation_id, token)| ChatStarted {
        conversation_id,
        token,
    }))
}

/// Sends the customer's message. In AI mode the AI answers shortly after; a repeated
/// `client_id` returns the first message and stores nothing.
#[server(prefix = "/api", endpoint = "chat/send", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn send_chat(
    conversation_id: ConversationId,
    token: String,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    chat::send(&services, conversation_id, &token, client_id, body).await
}

/// The customer's view of the conversation: events after `after_seq` (default 0).
#[server(prefix = "/api", endpoint = "chat/history", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn chat_history(
    conversation_id: ConversationId,
    token: String,
    after_seq: Option<u64>,
) -> Result<ChatView, ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    let after_seq = after_seq.unwrap_or(0);
    let (events, answering, last_seq, locale) =
        chat::history(&services, conversation_id, &token, after_seq).await?;
    Ok(ChatView {
        events,
        answering,
        last_seq,
        csat_after_handover: services.csat_after_handover,
        locale,
    })
}

/// The customer chose another language on the page: the takeover, handover and transfer
/// sentences and every other notice reach them in it from now on.
#[server(prefix = "/api", endpoint = "chat/language", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn set_chat_language(
    conversation_id: ConversationId,
    token: String,
    locale: String,
) -> Result<(), ApiError> {
    use crate::backend::{chat, Services};

    let locale = language_of(&locale)?;
    let services = Services::from_context()?;
    chat::set_language(&services, conversation_id, &token, locale).await
}

/// The customer asks to talk to a person: the conversation waits for a human.
#[server(prefix = "/api", endpoint = "chat/request_human", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn request_human(conversation_id: ConversationId, token: String) -> Result<(), ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    chat::request_human(&services, conversation_id, &token).await
}

/// The customer leaves an e-mail address for the team to write to (offered while nobody is
/// online). A malformed address is refused with 400 and nothing is stored.
#[server(prefix = "/api", endpoint = "chat/contact", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn leave_contact(
    conversation_id: ConversationId,
    token: String,
    email: String,
) -> Result<(), ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    chat::leave_contact(&services, conversation_id, &token, &email).await
}

/// The customer rates the conversation an agent closed: `rating` 1–5 and an optional
/// `comment` (at most 500 characters), once per close. 400 for bad input (nothing stored),
/// 409 while the conversation is open or when it was rated already.
#[server(prefix = "/api", endpoint = "chat/rate", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn rate_chat(
    conversation_id: ConversationId,
    token: String,
    rating: u8,
    comment: Option<String>,
) -> Result<(), ApiError> {
    use crate::backend::{chat, Services};

    let services = Services::from_context()?;
    chat::rate(
        &services,
        conversation_id,
        &token,
        rating,
        comment.as_deref(),
    )
    .await
}
