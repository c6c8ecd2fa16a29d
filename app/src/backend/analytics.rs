//! Analytics for supervisors and admins: the event logs of a range, folded by
//! [`crate::domain::analytics`].

use super::{auth, Services};
use crate::domain::analytics::{Analysis, Range, Report};
use crate::error::ApiError;

/// The report of `range`, for a supervisor or an admin.
#[tracing::instrument(skip_all)]
pub async fn report(services: &Services, range: Range) -> Result<Report, ApiError> {
    let viewer = auth::current_agent(services).await?;
    if !viewer.role.sees_analytics() {
        return Err(ApiError::forbidden(
            "Only supervisors and admins can see analytics",
        ));
    }
    fold(services, range).await
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
