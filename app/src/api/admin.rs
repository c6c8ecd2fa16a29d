//! Admins: creating and disabling agents, resetting passwords, reading the audit log. Each
//! function checks the admin role first, in [`crate::backend::admin`], which does the work.

use leptos::prelude::*;

use crate::domain::{Agent, AgentId, AuditEntry, ConversationId, Role};
use crate::error::ApiError;

/// Creates an agent (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/create", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn create_agent(
    email: String,
    display_name: String,
    role: Role,
    password: String,
    max_chats: Option<u32>,
) -> Result<Agent, ApiError> {
    use crate::backend::{admin, Services};

    let services = Services::from_context()?;
    admin::create_agent(&services, &email, &display_name, role, &password, max_chats).await
}

/// Disables an agent and ends their sessions (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/disable", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn disable_agent(agent_id: AgentId) -> Result<(), ApiError> {
    use crate::backend::{admin, Services};

    admin::disable_agent(&Services::from_context()?, agent_id).await
}

/// Sets a new password for an agent and ends their sessions (admins only).
#[server(prefix = "/api", endpoint = "admin/agents/reset_password", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn reset_password(agent_id: AgentId, password: String) -> Result<(), ApiError> {
    use crate::backend::{admin, Services};

    admin::reset_password(&Services::from_context()?, agent_id, &password).await
}

/// The audit log, newest first, optionally for one conversation (admins only).
#[server(prefix = "/api", endpoint = "admin/audit", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn audit_log(
    conversation_id: Option<ConversationId>,
    limit: Option<u32>,
) -> Result<Vec<AuditEntry>, ApiError> {
    use crate::backend::{admin, Services};

    admin::audit_log(&Services::from_context()?, conversation_id, limit).await
}
