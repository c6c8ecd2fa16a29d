//! Canned replies: the ones on offer (every agent), and writing, changing and retiring them
//! (supervisors and admins), in [`crate::backend::canned`].

use leptos::prelude::*;

use crate::domain::canned::CannedReply;
use crate::error::ApiError;

/// The replies on offer, by language and shortcut.
#[server(prefix = "/api", endpoint = "canned/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_canned() -> Result<Vec<CannedReply>, ApiError> {
    use crate::backend::{canned, Services};

    canned::list(&Services::from_context()?).await
}

/// Writes a new reply: `shortcut` like "/sorry", `language` the customers' language it is
/// for (`en`, `id`), `text` with `{customer_name}` and `{agent_name}` where the names go.
#[server(prefix = "/api", endpoint = "canned/create", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn create_canned(
    title: String,
    shortcut: String,
    language: String,
    text: String,
) -> Result<CannedReply, ApiError> {
    use crate::backend::{canned, Services};

    let language = super::language_of(&language)?;
    let services = Services::from_context()?;
    canned::create(&services, &title, &shortcut, language, &text).await
}

/// Replaces a reply's title, shortcut, language and text.
#[server(prefix = "/api", endpoint = "canned/update", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn update_canned(
    canned_id: String,
    title: String,
    shortcut: String,
    language: String,
    text: String,
) -> Result<CannedReply, ApiError> {
    use crate::backend::{canned, Services};

    let language = super::language_of(&language)?;
    let services = Services::from_context()?;
    canned::update(&services, &canned_id, &title, &shortcut, language, &text).await
}

/// Retires a reply: agents are no longer offered it, and its shortcut is free again.
#[server(prefix = "/api", endpoint = "canned/retire", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn retire_canned(canned_id: String) -> Result<(), ApiError> {
    use crate::backend::{canned, Services};

    canned::retire(&Services::from_context()?, &canned_id).await
}
