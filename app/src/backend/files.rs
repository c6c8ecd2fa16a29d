//! Photos and documents in a conversation: sending one (as the customer or the owning agent)
//! and reading one back. A file is checked by its content before anything is stored, is
//! written in the same transaction as the message that carries it, and is read only by those
//! who may read its conversation: agents, and the customer holding the conversation's token.

use super::{ai, auth, Limit, NewMessage, Services, StoredFile};
use crate::domain::{
    Agent, Attachment, AttachmentId, Author, ClientId, ConversationId, EscalationReason, Message,
    MessageBody, Mode,
};
use crate::error::ApiError;

/// Who asks for a file.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// A signed-in agent: they may read every conversation.
    Agent(&'a Agent),
    /// A customer with their conversation's token.
    Customer { token: &'a str },
}

/// The message a file becomes: the sender's caption (or the file's name) carrying the file.
fn message_with_file(
    author: Author,
    client_id: ClientId,
    caption: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<NewMessage, ApiError> {
    let attachment =
        Attachment::accept(name, &bytes).map_err(|err| ApiError::bad_input(err.to_string()))?;
    let caption = caption.map(str::trim).filter(|caption| !caption.is_empty());
    let body = MessageBody::parse(caption.unwrap_or(&attachment.name))?;
    Ok(NewMessage {
        author,
        body,
        client_id: Some(client_id),
        decided_at: None,
        file: Some(StoredFile { attachment, bytes }),
    })
}

/// The customer sends a photo or a PDF (a repeated `client_id` returns the first message and
/// stores nothing). The AI cannot look at files: in AI mode the conversation waits for a
/// person, who can.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn send_as_customer(
    services: &Services,
    id: ConversationId,
    token: &str,
    client_id: ClientId,
    caption: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Message, ApiError> {
    auth::check_customer(services, id, token).await?;
    let message = message_with_file(Author::Customer, client_id, caption, name, bytes)?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let appended = services.append(id, message).await?;
    if appended.created && appended.conversation.mode == Mode::Ai {
        ai::escalate(
            services,
            id,
            EscalationReason::LowConfidence,
            Some("The customer sent a file, which the AI cannot look at".into()),
        )
        .await?;
    }
    appended.into_message()
}

/// The owning agent sends a photo or a PDF (a repeated `client_id` returns the first message).
#[tracing::instrument(skip_all, fields(conversation_id = %id, agent_id = %agent.id))]
pub async fn send_as_agent(
    services: &Services,
    id: ConversationId,
    agent: &Agent,
    client_id: ClientId,
    caption: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Message, ApiError> {
    let author = Author::Agent {
        agent: agent.reference(),
    };
    let message = message_with_file(author, client_id, caption, name, bytes)?;
    services.append(id, message).await?.into_message()
}

/// The file `id` for `reader`. A customer gets only their own conversation's files: any other
/// is "no such file", so its existence is not revealed.
pub async fn read(
    services: &Services,
    id: AttachmentId,
    reader: Reader<'_>,
) -> Result<StoredFile, ApiError> {
    let missing = || ApiError::not_found("No such file");
    let (conversation_id, file) = services.store.file(id).await?.ok_or_else(missing)?;
    match reader {
        Reader::Agent(_) => Ok(file),
        Reader::Customer { token } => {
            match auth::check_customer(services, conversation_id, token).await {
                Ok(()) => Ok(file),
                Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) => Err(missing()),
                Err(err) => Err(err),
            }
        }
    }
}
