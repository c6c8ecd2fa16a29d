use leptos::prelude::*;

use crate::domain::Agent;
use crate::error::ApiError;

/// Signs an agent in and sets the session cookie.
#[server(prefix = "/api", endpoint = "agent/login", input = server_fn::codec::Json)]
pub async fn login(email: String, password: String) -> Result<Agent, ApiError> {
    use crate::backend::{auth, Limit, Services};
    use crate::domain::Email;

    let services = Services::from_context()?;
    services.limit(Limit::SignInPerAddress, &auth::client_address())?;
    services.limit(Limit::SignInPerAccount, &email.trim().to_lowercase())?;
    let refused = || ApiError::unauthorized("Wrong e-mail or password");
    let email = Email::parse(&email).map_err(|_| refused())?;
    let Some((agent, hash)) = services.store.agent_credentials(&email).await? else {
        // Same work as a real check, so timing does not reveal which addresses exist.
        auth::verify_against_nobody(&password);
        return Err(refused());
    };
    if !auth::verify_password(&hash, &password) {
        tracing::info!(agent_id = %agent.id, "sign-in refused: wrong password");
        return Err(refused());
    }
    auth::start_session(&services, &agent).await?;
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
