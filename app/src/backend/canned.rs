//! Canned replies: every agent reads the ones on offer; supervisors and admins write, change
//! and retire them, each change audited.

use super::admin::record;
use super::{auth, Services, StoreError};
use crate::domain::canned::{CannedDraft, CannedReply};
use crate::domain::{Agent, AuditAction, Locale};
use crate::error::ApiError;

/// The replies on offer, for any signed-in agent.
pub async fn list(services: &Services) -> Result<Vec<CannedReply>, ApiError> {
    auth::current_agent(services).await?;
    Ok(services.store.canned_replies().await?)
}

/// Writes a new reply (supervisors and admins).
pub async fn create(
    services: &Services,
    title: &str,
    shortcut: &str,
    language: Locale,
    text: &str,
) -> Result<CannedReply, ApiError> {
    write(services, None, title, shortcut, language, text).await
}

/// Replaces a reply's title, shortcut, language and text (supervisors and admins).
pub async fn update(
    services: &Services,
    id: &str,
    title: &str,
    shortcut: &str,
    language: Locale,
    text: &str,
) -> Result<CannedReply, ApiError> {
    write(services, Some(id), title, shortcut, language, text).await
}

/// Stores a reply with these words: a new one (`id` None) or new words for the one on offer
/// with `id`; audited either way.
async fn write(
    services: &Services,
    id: Option<&str>,
    title: &str,
    shortcut: &str,
    language: Locale,
    text: &str,
) -> Result<CannedReply, ApiError> {
    let manager = require_manager(services).await?;
    let draft = CannedDraft::parse(title, shortcut, language, text)?;
    let reply = CannedReply {
        id: id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned),
        title: draft.title,
        shortcut: draft.shortcut,
        language: draft.language,
        text: draft.text,
        updated_at: services.now(),
    };
    let action = match id {
        None => {
            services.store.create_canned(&reply).await?;
            AuditAction::CannedCreated
        }
        Some(_) => {
            services
                .store
                .update_canned(&reply)
                .await
                .map_err(not_on_offer)?;
            AuditAction::CannedChanged
        }
    };
    record(services, &manager, action, described(&reply)).await;
    Ok(reply)
}

/// Retires a reply: no longer offered, its shortcut free (supervisors and admins).
pub async fn retire(services: &Services, id: &str) -> Result<(), ApiError> {
    let manager = require_manager(services).await?;
    let reply = services
        .store
        .retire_canned(id, services.now())
        .await
        .map_err(not_on_offer)?;
    record(
        services,
        &manager,
        AuditAction::CannedRetired,
        described(&reply),
    )
    .await;
    Ok(())
}

/// The signed-in agent if they keep the team's lists (canned replies, labels); 403 with
/// `refusal` otherwise.
pub(super) async fn require_list_keeper(
    services: &Services,
    refusal: &'static str,
) -> Result<Agent, ApiError> {
    let agent = auth::current_agent(services).await?;
    if agent.role.manages_team_lists() {
        Ok(agent)
    } else {
        Err(ApiError::forbidden(refusal))
    }
}

async fn require_manager(services: &Services) -> Result<Agent, ApiError> {
    require_list_keeper(
        services,
        "Only supervisors and admins can change canned replies",
    )
    .await
}

fn not_on_offer(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found("No such canned reply"),
        other => other.into(),
    }
}

/// How the audit log describes a reply.
fn described(reply: &CannedReply) -> String {
    format!(
        "{} ({}): {}",
        reply.shortcut,
        reply.language.code(),
        reply.title
    )
}
