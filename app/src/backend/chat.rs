//! The customer's side of a conversation: starting it, writing into it (the AI answers when
//! it handles the conversation), reading what the customer may see, and asking for a person.

use super::{ai, auth, handoff::publish, Limit, NewAudit, NewConversation, NewMessage, Services};
use crate::domain::{
    Answering, AuditAction, Author, ClientId, ConversationId, DisplayName, Email, EscalationReason,
    Event, Message, MessageBody, Mode, Notice, Refusal,
};
use crate::error::ApiError;

/// The display name of a customer who gives none.
const GUEST: &str = "Guest";

/// Starts a conversation in AI mode; returns it with the customer's secret token.
#[tracing::instrument(skip_all)]
pub async fn start(
    services: &Services,
    display_name: Option<&str>,
) -> Result<(ConversationId, String), ApiError> {
    services.limit(Limit::StartPerAddress, &auth::client_address())?;
    let customer_name = match display_name.map(str::trim) {
        None | Some("") => DisplayName::parse(GUEST)?,
        Some(name) => DisplayName::parse(name)?,
    };
    let (token, token_hash) = auth::new_token();
    let new = NewConversation {
        id: ConversationId::new(),
        customer_name,
        token_hash,
    };
    let conversation = services
        .store
        .create_conversation(new, services.now())
        .await?;
    let events = services.store.events(conversation.id, 0, 1).await?;
    services.publisher.publish(&conversation, &events);
    tracing::info!(conversation_id = %conversation.id, "conversation started");
    Ok((conversation.id, token))
}

/// Appends the customer's message (a repeated `client_id` returns the first one) and, in AI
/// mode, lets the AI answer in the background.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn send(
    services: &Services,
    id: ConversationId,
    token: &str,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    auth::check_customer(services, id, token).await?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let message = NewMessage {
        author: Author::Customer,
        body,
        client_id: Some(client_id),
        decided_at: None,
    };
    let appended = services.append(id, message).await?;
    if appended.created && appended.conversation.mode == Mode::Ai {
        tokio::spawn(ai::respond(services.clone(), appended.conversation.clone()));
    }
    appended.into_message()
}

/// What the customer may see after `after_seq`: events without notes and reasons, who
/// answers now, and the last seq to resume from.
pub async fn history(
    services: &Services,
    id: ConversationId,
    token: &str,
    after_seq: u64,
) -> Result<(Vec<Event>, Answering, u64), ApiError> {
    let conversation = auth::customer_conversation(services, id, token).await?;
    let events = services
        .store
        .events(id, after_seq, 1_000)
        .await?
        .iter()
        .filter_map(Event::customer_view)
        .collect();
    Ok((events, Answering::of(&conversation), conversation.last_seq))
}

/// The customer asks for a person: an AI-handled conversation waits for a human. Nothing to
/// do when a person already has it or it already waits.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn request_human(
    services: &Services,
    id: ConversationId,
    token: &str,
) -> Result<(), ApiError> {
    let conversation = auth::customer_conversation(services, id, token).await?;
    match conversation.mode {
        Mode::Closed => Err(ApiError::refused(Refusal::Closed, &conversation, None)),
        Mode::Human { .. } => Ok(()),
        Mode::Ai => {
            ai::escalate(
                services,
                id,
                EscalationReason::CustomerAsked,
                Some("The customer pressed \"Talk to a person\"".into()),
            )
            .await?;
            Ok(())
        }
    }
}

/// The customer leaves an e-mail address: agents see it on the conversation, and the
/// customer is thanked. A malformed address changes nothing.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn leave_contact(
    services: &Services,
    id: ConversationId,
    token: &str,
    email: &str,
) -> Result<(), ApiError> {
    auth::check_customer(services, id, token).await?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let email = Email::parse(email)?;
    let notice = MessageBody::parse(&Notice::contact_left(email.as_str()))?;
    let committed = services
        .store
        .leave_contact(id, email, notice, services.now())
        .await?;
    publish(services, &committed);
    services
        .audit(NewAudit {
            actor: None,
            action: AuditAction::ContactLeft,
            conversation_id: Some(id),
            detail: None,
        })
        .await;
    Ok(())
}
