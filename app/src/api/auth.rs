//! Agent sign-in and sign-out, with rate limits and audit entries, and who is signed in.

use leptos::prelude::*;

use crate::domain::Agent;
use crate::error::ApiError;

/// Signs an agent in and sets the session cookie.
#[server(prefix = "/api", endpoint = "agent/login", input = server_fn::codec::Json)]
pub async fn login(email: String, password: String) -> Result<Agent, ApiError> {
    use crate::backend::{auth, Limit, NewAudit, Services};
    use crate::domain::{AuditAction, Email};

    let services = Services::from_context()?;
    services.limit(Limit::SignInPerAddress, &auth::client_address())?;
    services.limit(Limit::SignInPerAccount, &email.trim().to_lowercase())?;
    let refused = || ApiError::unauthorized("Wrong e-mail or password");
    let email = Email::parse(&email).map_err(|_| refused())?;
    let refusal = |actor: Option<crate::domain::AgentRef>| NewAudit {
        actor,
        action: AuditAction::SignInRefused,
        conversation_id: None,
        detail: Some(format!("{email} from {}", auth::client_address())),
    };
    let Some((agent, hash)) = services.store.agent_credentials(&email).await? else {
        // Same work as a real check, so timing does not reveal which addresses exist.
        auth::verify_against_nobody(&password);
        services.audit(refusal(None)).await;
        return Err(refused());
    };
    if !auth::verify_password(&hash, &password) {
        tracing::info!(agent_id = %agent.id, "sign-in refused: wrong password");
        services.audit(refusal(Some(agent.reference()))).await;
        return Err(refused());
    }
    auth::start_session(&services, &agent).await?;
    services
        .audit(NewAudit {
            actor: Some(agent.reference()),
            action: AuditAction::SignIn,
            conversation_id: None,
            detail: Some(format!("from {}", auth::client_address())),
        })
        .await;
    tracing::info!(agent_id = %agent.id, "agent signed in");
    Ok(agent)
}

/// Ends the agent's session.
#[server(prefix = "/api", endpoint = "agent/logout", input = server_fn::codec::Json)]
pub async fn logout() -> Result<(), ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::end_session(&services).await
}

/// The signed-in agent, or 401.
#[server(prefix = "/api", endpoint = "agent/me", input = server_fn::codec::Json)]
pub async fn me() -> Result<Agent, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await
}
