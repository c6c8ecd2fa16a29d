//! The team as the transfer picker sees it: availability corrected by live presence.

use super::Services;
use crate::domain::{AgentOverview, Availability};
use crate::error::ApiError;

/// Every enabled agent with their load and live connection. An agent who is not present
/// (no live socket and no activity within the grace period) shows as offline, whatever
/// they last chose: nobody can transfer a conversation to someone who is not there.
pub async fn team(services: &Services) -> Result<Vec<AgentOverview>, ApiError> {
    let mut agents = services.store.agents().await?;
    for overview in &mut agents {
        let id = overview.agent.id;
        overview.connected = services.presence.connections(id) > 0;
        if !services.presence.is_present(id) {
            overview.agent.status = Availability::Offline;
        }
    }
    Ok(agents)
}
