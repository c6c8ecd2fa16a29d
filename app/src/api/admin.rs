//! Admins: creating and disabling agents, resetting passwords, reading the audit log. Each
//! function checks the admin role first ([`crate::backend::admin::require_admin`]).

use leptos::prelude::*;

use crate::domain::{Agent, AgentId, AuditEntry, ConversationId, Role};
use crate::error::ApiError;

/// Creates an agent (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/create", input = server_fn::codec::Json)]
pub async fn create_agent(
    email: String,
    display_name: String,
    role: Role,
    password: String,
    max_chats: Option<u32>,
) -> Result<Agent, ApiError> {
    use crate::backend::{admin, auth, NewAudit, Services};
    use crate::domain::{AuditAction, Availability, DisplayName, Email};

    let services = Services::from_context()?;
    let admin = admin::require_admin(&services).await?;
    let agent = Agent {
        id: AgentId::new(),
        email: Email::parse(&email)?,
        display_name: DisplayName::parse(&display_name)?,
        role,
        status: Availability::Offline,
        max_chats: max_chats.unwrap_or(5).clamp(1, 100),
    };
    let hash = auth::hash_password(admin::checked_password(&password)?)?;
    services
        .store
        .create_agent(&agent, &hash, services.now())
        .await?;
    services
        .audit(NewAudit {
            actor: Some(admin.reference()),
            action: AuditAction::AgentCreated,
            conversation_id: None,
            detail: Some(format!(
                "{} <{}> as {}",
                agent.display_name,
                agent.email,
                role.as_str()
            )),
        })
        .await;
    Ok(agent)
}

/// Disables an agent and ends their sessions (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/disable", input = server_fn::codec::Json)]
pub async fn disable_agent(agent_id: AgentId) -> Result<(), ApiError> {
    use crate::backend::{admin, NewAudit, Services};
    use crate::domain::AuditAction;

    let services = Services::from_context()?;
    let admin = admin::require_admin(&services).await?;
    if agent_id == admin.id {
        return Err(ApiError::bad_input("You cannot disable yourself"));
    }
    let target = services
        .store
        .agent(agent_id)
        .await
        .map_err(|_| ApiError::not_found("No such agent"))?;
    services.store.disable_agent(agent_id).await?;
    services
        .audit(NewAudit {
            actor: Some(admin.reference()),
            action: AuditAction::AgentDisabled,
            conversation_id: None,
            detail: Some(format!("{} <{}>", target.display_name, target.email)),
        })
        .await;
    Ok(())
}

/// Sets a new password for an agent and ends their sessions (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/reset_password", input = server_fn::codec::Json)]
pub async fn reset_password(agent_id: AgentId, password: String) -> Result<(), ApiError> {
    use crate::backend::{admin, auth, NewAudit, Services};
    use crate::domain::AuditAction;

    let services = Services::from_context()?;
    let admin = admin::require_admin(&services).await?;
    let target = services
        .store
        .agent(agent_id)
        .await
        .map_err(|_| ApiError::not_found("No such agent"))?;
    let hash = auth::hash_password(admin::checked_password(&password)?)?;
    services.store.set_password(agent_id, &hash).await?;
    services
        .audit(NewAudit {
            actor: Some(admin.reference()),
            action: AuditAction::PasswordReset,
            conversation_id: None,
            detail: Some(format!("{} <{}>", target.display_name, target.email)),
        })
        .await;
    Ok(())
}

/// The audit log, newest first, optionally for one conversation (admins only).
#[server(prefix = "/api", endpoint = "admin/audit", input = server_fn::codec::Json)]
pub async fn audit_log(
    conversation_id: Option<ConversationId>,
    limit: Option<u32>,
) -> Result<Vec<AuditEntry>, ApiError> {
    use crate::backend::{admin, Services};

    let services = Services::from_context()?;
    admin::require_admin(&services).await?;
    Ok(services
        .store
        .audit_log(conversation_id, limit.unwrap_or(200).min(1_000))
        .await?)
}
