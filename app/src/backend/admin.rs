//! What only admins may do: create and disable agents, reset passwords (each recorded in the
//! audit log), read the audit log; and the rule for the passwords they set.

use super::{auth, NewAudit, Services};
use crate::domain::{
    Agent, AgentId, AuditAction, AuditEntry, Availability, ConversationId, DisplayName, Email, Role,
};
use crate::error::ApiError;

/// The shortest password an admin may set.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password an admin may set.
const MAX_PASSWORD_CHARS: usize = 200;

/// The signed-in agent if they are an admin; 403 otherwise.
pub async fn require_admin(services: &Services) -> Result<Agent, ApiError> {
    let agent = auth::current_agent(services).await?;
    if agent.role != Role::Admin {
        return Err(ApiError::forbidden("Only admins can do that"));
    }
    Ok(agent)
}

/// Creates an agent, offline, with `password` (admins only; checked before the input).
pub async fn create_agent(
    services: &Services,
    email: &str,
    display_name: &str,
    role: Role,
    password: &str,
    max_chats: Option<u32>,
) -> Result<Agent, ApiError> {
    let admin = require_admin(services).await?;
    let agent = Agent {
        id: AgentId::new(),
        email: Email::parse(email)?,
        display_name: DisplayName::parse(display_name)?,
        role,
        status: Availability::Offline,
        max_chats: max_chats.unwrap_or(5).clamp(1, 100),
    };
    let hash = auth::hash_password(checked_password(password)?)?;
    services
        .store
        .create_agent(&agent, &hash, services.now())
        .await?;
    let detail = format!(
        "{} <{}> as {}",
        agent.display_name,
        agent.email,
        role.as_str()
    );
    record(services, &admin, AuditAction::AgentCreated, detail).await;
    Ok(agent)
}

/// Disables an agent and ends their sessions (admins only, never themselves).
pub async fn disable_agent(services: &Services, id: AgentId) -> Result<(), ApiError> {
    let admin = require_admin(services).await?;
    if id == admin.id {
        return Err(ApiError::bad_input("You cannot disable yourself"));
    }
    let target = existing(services, id).await?;
    services.store.disable_agent(id).await?;
    record(services, &admin, AuditAction::AgentDisabled, named(&target)).await;
    Ok(())
}

/// Sets a new password for an agent and ends their sessions (admins only).
pub async fn reset_password(
    services: &Services,
    id: AgentId,
    password: &str,
) -> Result<(), ApiError> {
    let admin = require_admin(services).await?;
    let target = existing(services, id).await?;
    let hash = auth::hash_password(checked_password(password)?)?;
    services.store.set_password(id, &hash).await?;
    record(services, &admin, AuditAction::PasswordReset, named(&target)).await;
    Ok(())
}

/// The audit log, newest first, at most 1,000 entries, optionally for one conversation
/// (admins only).
pub async fn audit_log(
    services: &Services,
    conversation: Option<ConversationId>,
    limit: Option<u32>,
) -> Result<Vec<AuditEntry>, ApiError> {
    require_admin(services).await?;
    let limit = limit.unwrap_or(200).min(1_000);
    Ok(services.store.audit_log(conversation, limit).await?)
}

/// The agent an admin acts on: 404 when there is none.
async fn existing(services: &Services, id: AgentId) -> Result<Agent, ApiError> {
    services
        .store
        .agent(id)
        .await
        .map_err(|_| ApiError::not_found("No such agent"))
}

/// How the audit log names an agent.
fn named(agent: &Agent) -> String {
    format!("{} <{}>", agent.display_name, agent.email)
}

/// Records an admin's action in the audit log.
pub(super) async fn record(
    services: &Services,
    admin: &Agent,
    action: AuditAction,
    detail: String,
) {
    services
        .audit(NewAudit {
            actor: Some(admin.reference()),
            action,
            conversation_id: None,
            detail: Some(detail),
        })
        .await;
}

/// A password an admin may set: [`MIN_PASSWORD_CHARS`] to 200 characters.
pub fn checked_password(password: &str) -> Result<&str, ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(format!(
            "The password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_input("The password is too long"));
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_sets_passwords_of_eight_to_two_hundred_characters() {
        assert!(checked_password("1234567").is_err());
        assert_eq!(checked_password("12345678"), Ok("12345678"));
        assert!(checked_password(&"x".repeat(200)).is_ok());
        assert!(checked_password(&"x".repeat(201)).is_err());
        // Characters, not bytes.
        assert!(checked_password("ééééééé").is_err());
    }
}
