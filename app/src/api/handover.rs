//! The owner hands a conversation back to the AI, optionally with a brief the AI honours.

use leptos::prelude::*;

use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;

/// The owner hands the conversation back to the AI, optionally with a brief the AI must
/// honour (e.g. "refund approved"). The customer is told in the product's words. The brief
/// is guidance the customer never reads, unless `for_customer` is true: then the AI may pass
/// it on when the customer asks about it.
#[server(prefix = "/api", endpoint = "conversations/handover", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn handover(
    conversation_id: ConversationId,
    note: Option<String>,
    for_customer: Option<bool>,
) -> Result<Conversation, ApiError> {
    use crate::backend::handoff::{by_signed_in_agent, Request};
    use crate::domain::Note;

    let brief = Note::parse_optional(note.as_deref())?;
    let for_customer = for_customer.unwrap_or(false);
    by_signed_in_agent(
        conversation_id,
        Request::HandOver {
            brief,
            for_customer,
        },
    )
    .await
}
