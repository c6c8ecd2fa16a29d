//! Labels and priority: the team's labels (every agent reads them; supervisors and admins
//! add, rename, recolour and remove them), and putting them on conversations and setting
//! how urgent each is (every agent), in [`crate::backend::labels`].

use leptos::prelude::*;

use crate::domain::label::{Label, LabelColor, Priority};
use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;

/// The team's labels, by name.
#[server(prefix = "/api", endpoint = "labels/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_labels() -> Result<Vec<Label>, ApiError> {
    use crate::backend::{labels, Services};

    labels::list(&Services::from_context()?).await
}

/// Adds a label: a name of 1 to 32 characters that no other label has (letter case aside)
/// and a colour of the palette.
#[server(prefix = "/api", endpoint = "labels/create", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn create_label(name: String, color: LabelColor) -> Result<Label, ApiError> {
    use crate::backend::{labels, Services};

    labels::create(&Services::from_context()?, &name, color).await
}

/// Renames or recolours a label; the conversations carrying it show the change.
#[server(prefix = "/api", endpoint = "labels/update", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn update_label(
    label_id: String,
    name: String,
    color: LabelColor,
) -> Result<Label, ApiError> {
    use crate::backend::{labels, Services};

    labels::update(&Services::from_context()?, &label_id, &name, color).await
}

/// Removes a label from the team's list and from every conversation carrying it.
#[server(prefix = "/api", endpoint = "labels/delete", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn delete_label(label_id: String) -> Result<(), ApiError> {
    use crate::backend::{labels, Services};

    labels::delete(&Services::from_context()?, &label_id).await
}

/// Puts the labels `add` on the conversation and takes `remove` off (ids of the team's
/// labels; at most 10 on one conversation). Agents labelling one conversation at once never
/// undo each other. Returns the conversation as it is then.
#[server(prefix = "/api", endpoint = "conversations/labels", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn label_conversation(
    conversation_id: ConversationId,
    add: Option<Vec<String>>,
    remove: Option<Vec<String>>,
) -> Result<Conversation, ApiError> {
    use crate::backend::{labels, Services};

    let services = Services::from_context()?;
    let (add, remove) = (add.unwrap_or_default(), remove.unwrap_or_default());
    labels::relabel(&services, conversation_id, add, remove).await
}

/// Sets how urgent the conversation is. Returns the conversation as it is then.
#[server(prefix = "/api", endpoint = "conversations/priority", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn set_priority(
    conversation_id: ConversationId,
    priority: Priority,
) -> Result<Conversation, ApiError> {
    use crate::backend::{labels, Services};

    labels::set_priority(&Services::from_context()?, conversation_id, priority).await
}
