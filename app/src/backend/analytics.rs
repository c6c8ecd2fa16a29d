//! Analytics for supervisors and admins: the event logs of a range, folded by
//! [`crate::domain::analytics`].

use super::{auth, Services};
use crate::domain::analytics::{summaries, Analysis, ConversationSummary, Range, Report};
use crate::domain::{Agent, Timestamp};
use crate::error::ApiError;

/// The report of `range`, for a supervisor or an admin.
#[tracing::instrument(skip_all)]
pub async fn report(services: &Services, range: Range) -> Result<Report, ApiError> {
    admit(&auth::current_agent(services).await?)?;
    fold(services, range).await
}

/// The analytics are for supervisors and admins.
fn admit(viewer: &Agent) -> Result<(), ApiError> {
    if viewer.role.sees_analytics() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Only supervisors and admins can see analytics",
        ))
    }
}

/// The report of `range`, for whoever was let in.
pub async fn fold(services: &Services, range: Range) -> Result<Report, ApiError> {
    let events = services
        .store
        .analytics_events(range.from, range.to)
        .await?;
    let ratings = services.store.ratings(range.from, range.to).await?;
    let mut analysis = Analysis::new(range, services.now());
    for log in events.chunk_by(|a, b| a.conversation_id == b.conversation_id) {
        analysis.add(log);
    }
    for rating in &ratings {
        analysis.rate(rating);
    }
    Ok(analysis.report())
}

/// The conversations started in `range`, one summary each, oldest first, for the supervisor
/// or admin whose session cookie is among `headers` (a plain GET, not a server function).
#[tracing::instrument(skip_all)]
pub async fn conversations(
    services: &Services,
    headers: &http::HeaderMap,
    range: Range,
) -> Result<Vec<ConversationSummary>, ApiError> {
    admit(&auth::agent_from_headers(services, headers).await?)?;
    // The logs of the conversations active in the range hold those started in it, whole;
    // their ratings came after they started, so by now.
    let events = services
        .store
        .analytics_events(range.from, range.to)
        .await?;
    let now = services.now();
    let ratings = services
        .store
        .ratings(range.from, Timestamp(now.millis() + 1))
        .await?;
    Ok(summaries(&range, &events, &ratings))
}
