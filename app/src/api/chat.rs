use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{Answering, ClientId, ConversationId, Event, Message, MessageBody};
use crate::error::ApiError;

/// A started conversation and the token that lets this customer use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatStarted {
    pub conversation_id: ConversationId,
    /// Keep it secret: it is the customer's only key to the conversation.
    pub token: String,
}

/// What the customer may see of their conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatView {
    /// Visible events after `after_seq`, in order.
    pub events: Vec<Event>,
    /// Who answers now.
    pub answering: Answering,
    /// The latest seq in the conversation (to resume from).
    pub last_seq: u64,
}

/// Starts a conversation with the AI assistant.
#[server(prefix = "/api", endpoint = "chat/start", input = server_fn::codec::Json)]
pub async fn start_chat(display_name: Option<String>) -> Result<ChatStarted, ApiError> {
    use crate::backend::{auth, Limit, NewConversation, Services};
    use crate::domain::DisplayName;

    let services = Services::from_context()?;
    services.limit(Limit::StartPerAddress, &auth::client_address())?;
    let customer_name = match display_name.as_deref().map(str::trim) {
        None | Some("") => DisplayName::parse("Guest")?,
        Some(name) => DisplayName::parse(name)?,
    };
    let (token, token_hash) = auth::new_token();
    let conversation = services
        .store
        .create_conversation(
            NewConversation {
                id: ConversationId::new(),
                customer_name,
                token_hash,
            },
            services.now(),
        )
        .await?;
    let events = services.store.events(conversation.id, 0, 1).await?;
    services.publisher.publish(&conversation, &events);
    tracing::info!(conversation_id = %conversation.id, "conversation started");
    Ok(ChatStarted {
        conversation_id: conversation.id,
        token,
    })
}

/// Sends the customer's message. In AI mode the AI answers shortly after; a repeated
/// `client_id` returns the first message and stores nothing.
#[server(prefix = "/api", endpoint = "chat/send", input = server_fn::codec::Json)]
pub async fn send_chat(
    conversation_id: ConversationId,
    token: String,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    use crate::backend::{ai, auth, handoff, Limit, NewMessage, Services};
    use crate::domain::{Author, Mode};

    let services = Services::from_context()?;
    auth::check_customer(&services, conversation_id, &token).await?;
    services.limit(Limit::SendPerConversation, &conversation_id.to_string())?;
    let message = NewMessage {
        author: Author::Customer,
        body,
        client_id: Some(client_id),
        decided_at: None,
    };
    let appended = services
        .store
        .append_message(conversation_id, message, services.now())
        .await?;
    if appended.created {
        services.publisher.publish(
            &appended.conversation,
            std::slice::from_ref(&appended.event),
        );
        if appended.conversation.mode == Mode::Ai {
            tokio::spawn(ai::respond(services.clone(), appended.conversation.clone()));
        }
    }
    handoff::message_of(appended.event)
}

/// The customer's view of the conversation: events after `after_seq` (default 0).
#[server(prefix = "/api", endpoint = "chat/history", input = server_fn::codec::Json)]
pub async fn chat_history(
    conversation_id: ConversationId,
    token: String,
    after_seq: Option<u64>,
) -> Result<ChatView, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    let conversation = auth::customer_conversation(&services, conversation_id, &token).await?;
    let events = services
        .store
        .events(conversation_id, after_seq.unwrap_or(0), 1_000)
        .await?
        .iter()
        .filter_map(Event::customer_view)
        .collect();
    let answering = Answering::of(&conversation);
    Ok(ChatView {
        events,
        answering,
        last_seq: conversation.last_seq,
    })
}

/// The customer asks to talk to a person: the conversation waits for a human.
#[server(prefix = "/api", endpoint = "chat/request_human", input = server_fn::codec::Json)]
pub async fn request_human(conversation_id: ConversationId, token: String) -> Result<(), ApiError> {
    use crate::backend::{ai, auth, Services};
    use crate::domain::{EscalationReason, Mode, Refusal};

    let services = Services::from_context()?;
    let conversation = auth::customer_conversation(&services, conversation_id, &token).await?;
    match conversation.mode {
        Mode::Closed => Err(ApiError::refused(Refusal::Closed, &conversation, None)),
        // Already with a person, or already waiting: nothing to do.
        Mode::Human { .. } => Ok(()),
        Mode::Ai => {
            ai::escalate(
                &services,
                conversation_id,
                EscalationReason::CustomerAsked,
                Some("The customer pressed \"Talk to a person\"".into()),
            )
            .await?;
            Ok(())
        }
    }
}
