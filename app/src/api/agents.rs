//! Agents: the team with availability and load, and setting one's own availability.

use leptos::prelude::*;

use crate::domain::{Agent, AgentOverview, Availability};
use crate::error::ApiError;

/// Every agent with their availability and how many conversations they own.
#[server(prefix = "/api", endpoint = "agents/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_agents() -> Result<Vec<AgentOverview>, ApiError> {
    use crate::backend::{auth, team, Services};

    let services = Services::from_context()?;
    auth::current_agent(&services).await?;
    team::team(&services).await
}

/// Sets the signed-in agent's availability: online, away or offline. With `release` (away
/// or offline only), every conversation they own goes back to the queue, each customer told.
#[server(prefix = "/api", endpoint = "agents/availability", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn set_availability(
    status: Availability,
    release: Option<bool>,
) -> Result<Agent, ApiError> {
    use crate::backend::{auth, routing, Services};
    use crate::domain::EscalationReason;

    let services = Services::from_context()?;
    let agent = auth::current_agent(&services).await?;
    let agent = services.store.set_availability(agent.id, status).await?;
    services.publisher.presence_changed(&agent);
    tracing::info!(agent_id = %agent.id, status = status.as_str(), "availability changed");
    if release == Some(true) && status != Availability::Online {
        for conversation in services.store.owned_by(agent.id).await? {
            routing::requeue(
                &services,
                conversation.id,
                agent.id,
                EscalationReason::OwnerAway,
            )
            .await;
        }
    }
    Ok(agent)
}
