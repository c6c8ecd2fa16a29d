//! The dashboard's reads (the list, one conversation with its whole log) and the owner's
//! messages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::label::Priority;
use crate::domain::{
    ClientId, Conversation, ConversationId, Event, ListCursor, ListFilter, Message, MessageBody,
    SearchQuery,
};
use crate::error::ApiError;

/// A conversation with its whole event log, as the chat panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub events: Vec<Event>,
}

/// One page of the dashboard's conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub conversations: Vec<Conversation>,
    /// Pass it as `cursor` for the page after this one; `null` on the last page.
    pub next_cursor: Option<ListCursor>,
}

/// How many conversations a filter of the list selects now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FilterCount {
    pub filter: ListFilter,
    pub count: u64,
}

/// How many conversations a page holds unless the caller asks otherwise.
pub const PAGE_SIZE: u32 = 50;
/// The most conversations one page may hold.
pub const MAX_PAGE_SIZE: u32 = 200;

/// The dashboard's conversation list, a page at a time: waiting ones first, then by latest
/// activity. `label` (a label's id) and `priority` narrow it to conversations carrying that
/// label, of that priority. `query` searches customers' names and message text (words, all of which must
/// match, the last also as a word's start; "quoted phrases"); `cursor` is the previous page's
/// `next_cursor`; `limit` is 50 unless given, at most 200.
#[server(prefix = "/api", endpoint = "conversations/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_conversations(
    filter: Option<ListFilter>,
    query: Option<SearchQuery>,
    cursor: Option<ListCursor>,
    limit: Option<u32>,
    label: Option<String>,
    priority: Option<Priority>,
) -> Result<ConversationPage, ApiError> {
    use crate::backend::{auth, Services};
    use crate::domain::label::TagFilter;

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    let limit = limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    // One more than asked for tells whether a page follows.
    let mut conversations = services
        .store
        .list_conversations(
            filter.unwrap_or_default(),
            agent.id,
            &TagFilter { label, priority },
            &query.unwrap_or_default(),
            cursor,
            limit + 1,
        )
        .await?;
    let more = conversations.len() > limit as usize;
    conversations.truncate(limit as usize);
    let next_cursor = more
        .then(|| conversations.last().map(ListCursor::of))
        .flatten();
    Ok(ConversationPage {
        conversations,
        next_cursor,
    })
}

/// The conversation's customer as a person: what Baton knows of them, since when, and their
/// other conversations (started in the same browser, or by the same verified customer).
#[server(prefix = "/api", endpoint = "conversations/contact", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn conversation_contact(
    conversation_id: ConversationId,
) -> Result<crate::domain::contact::Contact, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await?;
    Ok(services.store.contact(conversation_id).await?)
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

/// How many conversations each filter of the list selects for the signed-in agent (every
/// filter but `closed`), for the counts on the dashboard's filter chips.
#[server(prefix = "/api", endpoint = "conversations/counts", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn count_conversations() -> Result<Vec<FilterCount>, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    let counts = services
        .store
        .count_conversations(&ListFilter::COUNTED, agent.id)
        .await?;
    Ok(ListFilter::COUNTED
        .into_iter()
        .zip(counts)
        .map(|(filter, count)| FilterCount { filter, count })
        .collect())
}

/// Adds a private note to the conversation (any agent, open or closed): agents see it, the
/// customer and the AI never do; `@name` (a colleague's first name, or whole name without
/// spaces) notifies them. 400 for an empty note or one over 1,000 characters.
#[server(prefix = "/api", endpoint = "conversations/note", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn add_note(conversation_id: ConversationId, text: String) -> Result<(), ApiError> {
    use crate::backend::{auth, handoff, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    handoff::add_note(&services, conversation_id, &agent, &text).await
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
