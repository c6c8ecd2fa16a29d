//! Agents: the team with availability and load, and setting one's own availability.

use leptos::prelude::*;

use crate::domain::{Agent, AgentOverview, Availability};
use crate::error::ApiError;

/// Every agent with their availability and how many conversations they own.
#[server(prefix = "/api", endpoint = "agents/list", input = server_fn::codec::Json)]
pub async fn list_agents() -> Result<Vec<AgentOverview>, ApiError> {
    use crate::backend::{auth, team, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await?;
    team::team(&services).await
}

/// Sets the signed-in agent's availability: online, away or offline.
#[server(prefix = "/api", endpoint = "agents/availability", input = server_fn::codec::Json)]
pub async fn set_availability(status: Availability) -> Result<Agent, ApiError> {
    use crate::backend::{auth, Services};

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    let agent = services.store.set_availability(agent.id, status).await?;
    services.publisher.presence_changed(&agent);
    tracing::info!(agent_id = %agent.id, status = status.as_str(), "availability changed");
    Ok(agent)
}
