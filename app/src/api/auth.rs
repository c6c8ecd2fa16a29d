//! Agent sign-in and sign-out, with rate limits and audit entries, and who is signed in.

use leptos::prelude::*;

use crate::domain::Agent;
use crate::error::ApiError;

/// Signs an agent in and sets the session cookie.
#[server(prefix = "/api", endpoint = "agent/login", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn login(email: String, password: String) -> Result<Agent, ApiError> {
    use crate::backend::{auth, Limit, NewAudit, Services};
    use crate::domain::{AuditAction, Email};

    let services = Services::from_context()?;
    let address = auth::client_address();
    services.limit(Limit::SignInPerAddress, &address)?;
    let account = email.trim().to_lowercase();
    // Only failures count against an account, and mostly from the address they come from:
    // nobody can lock an agent out from elsewhere by guessing.
    let failures_here = format!("{account} {address}");
    services.refuse_when_spent(
        Limit::SignInFailuresPerAccountAndAddress,
        &failures_here,
        "Too many wrong passwords for this account from your network.",
    )?;
    services.refuse_when_spent(
        Limit::SignInFailuresPerAccount,
        &account,
        "Too many wrong passwords for this account.",
    )?;
    let refused = || ApiError::unauthorized("Wrong e-mail or password");
    let email = Email::parse(&email).map_err(|_| refused())?;
    let failed = |actor: Option<crate::domain::AgentRef>| {
        services.count(Limit::SignInFailuresPerAccountAndAddress, &failures_here);
        services.count(Limit::SignInFailuresPerAccount, &account);
        NewAudit {
            actor,
            action: AuditAction::SignInRefused,
            conversation_id: None,
            detail: Some(format!("{email} from {address}")),
        }
    };
    let Some((agent, hash)) = services.store.agent_credentials(&email).await? else {
        // Same work as a real check, so timing does not reveal which addresses exist.
        auth::check_password(None, password).await?;
        services.audit(failed(None)).await;
        return Err(refused());
    };
    if !auth::check_password(Some(hash), password).await? {
        tracing::info!(agent_id = %agent.id, "sign-in refused: wrong password");
        services.audit(failed(Some(agent.reference()))).await;
        return Err(refused());
    }
    auth::start_session(&services, &agent).await?;
    services
        .audit(NewAudit {
            actor: Some(agent.reference()),
            action: AuditAction::SignIn,
            conversation_id: None,
            detail: Some(format!("from {address}")),
        })
        .await;
    tracing::info!(agent_id = %agent.id, "agent signed in");
    Ok(agent)
}

/// Ends the agent's session.
#[server(prefix = "/api", endpoint = "agent/logout", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn logout() -> Result<(), ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::end_session(&services).await
}

/// The signed-in agent, or 401.
#[server(prefix = "/api", endpoint = "agent/me", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn me() -> Result<Agent, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await
}
