//! Labels and priority. Every agent reads the team's labels, puts them on conversations and
//! takes them off, and sets how urgent a conversation is; supervisors and admins keep the
//! list itself, each change audited. The customer never sees any of it.

use super::admin::record;
use super::canned::require_list_keeper;
use super::handoff::publish;
use super::{auth, Relabelled, Services, StoreError};
use crate::domain::label::{Label, LabelColor, LabelDraft, LabelError, Priority, MAX_LABELS};
use crate::domain::{AuditAction, Conversation, ConversationId, EventKind};
use crate::error::ApiError;

const KEEPERS_ONLY: &str = "Only supervisors and admins can change the team's labels";

/// The team's labels, by name, for any signed-in agent.
pub async fn list(services: &Services) -> Result<Vec<Label>, ApiError> {
    auth::current_agent(services).await?;
    Ok(services.store.labels().await?)
}

/// Adds a label to the team's list (supervisors and admins).
pub async fn create(services: &Services, name: &str, color: LabelColor) -> Result<Label, ApiError> {
    write(services, None, name, color).await
}

/// Renames or recolours a label (supervisors and admins); conversations carrying it show
/// the new name at once.
pub async fn update(
    services: &Services,
    id: &str,
    name: &str,
    color: LabelColor,
) -> Result<Label, ApiError> {
    write(services, Some(id), name, color).await
}

/// Stores a label with this name and colour: a new one (`id` None, while the team has fewer
/// than [`MAX_LABELS`]) or the one with `id`; audited either way.
async fn write(
    services: &Services,
    id: Option<&str>,
    name: &str,
    color: LabelColor,
) -> Result<Label, ApiError> {
    let keeper = require_list_keeper(services, KEEPERS_ONLY).await?;
    let draft = LabelDraft::parse(name, color)?;
    let label = Label {
        id: id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned),
        name: draft.name,
        color: draft.color,
        updated_at: services.now(),
    };
    let action = match id {
        None => {
            if services.store.labels().await?.len() >= MAX_LABELS {
                return Err(LabelError::TooManyLabels.into());
            }
            services.store.create_label(&label).await?;
            AuditAction::LabelCreated
        }
        Some(_) => {
            services
                .store
                .update_label(&label)
                .await
                .map_err(no_such_label)?;
            AuditAction::LabelChanged
        }
    };
    record(services, &keeper, action, described(&label)).await;
    Ok(label)
}

/// Removes a label from the list and from every conversation (supervisors and admins).
pub async fn delete(services: &Services, id: &str) -> Result<(), ApiError> {
    let keeper = require_list_keeper(services, KEEPERS_ONLY).await?;
    let label = services
        .store
        .delete_label(id)
        .await
        .map_err(no_such_label)?;
    record(
        services,
        &keeper,
        AuditAction::LabelDeleted,
        described(&label),
    )
    .await;
    Ok(())
}

/// Puts the labels `add` on the conversation and takes `remove` off (any agent); returns
/// the conversation as it is then. Dashboards hear of it at once.
pub async fn relabel(
    services: &Services,
    id: ConversationId,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Conversation, ApiError> {
    let agent = auth::current_agent(services).await?;
    match services
        .store
        .relabel(id, add, remove, agent.reference(), services.now())
        .await?
    {
        Relabelled::Changed(committed) => {
            publish(services, &committed);
            Ok(committed.conversation)
        }
        Relabelled::Unchanged(conversation) => Ok(conversation),
        Relabelled::Refused(refusal) => Err(refusal.into()),
    }
}

/// Sets how urgent the conversation is (any agent); returns the conversation as it is then.
pub async fn set_priority(
    services: &Services,
    id: ConversationId,
    priority: Priority,
) -> Result<Conversation, ApiError> {
    let agent = auth::current_agent(services).await?;
    let kind = EventKind::PriorityChanged {
        by: agent.reference(),
        priority,
    };
    match services
        .store
        .set_priority(id, priority, kind, services.now())
        .await?
    {
        Some(committed) => {
            publish(services, &committed);
            Ok(committed.conversation)
        }
        // Already of that priority, or no such conversation (404).
        None => Ok(services.store.conversation(id).await?),
    }
}

fn no_such_label(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found("No such label"),
        other => other.into(),
    }
}

/// How the audit log describes a label.
fn described(label: &Label) -> String {
    format!("{} ({})", label.name, label.color.code())
}
