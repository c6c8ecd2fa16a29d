//! Analytics of the hand-off for supervisors and admins (see [`crate::domain::analytics`]
//! for every definition).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::analytics::{Report, Totals};
use crate::domain::Timestamp;
use crate::error::ApiError;

/// A range's report and, to compare with, the totals of the range just before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Analytics {
    pub report: Report,
    /// The same figures for the period of the same length just before.
    pub previous: Totals,
}

/// The analytics of `[from, to)` (ms since the epoch; at most 366 days), days cut at local
/// midnight of `utc_offset_minutes` (default 0: UTC). Supervisors and admins only.
#[server(prefix = "/api", endpoint = "analytics/report", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn analytics_report(
    from: Timestamp,
    to: Timestamp,
    utc_offset_minutes: Option<i32>,
) -> Result<Analytics, ApiError> {
    use crate::backend::{analytics, Services};
    use crate::domain::analytics::Range;

    let services = Services::from_context()?;
    let range =
        Range::new(from, to, utc_offset_minutes.unwrap_or(0)).map_err(ApiError::bad_input)?;
    let report = analytics::report(&services, range).await?;
    let previous = analytics::fold(&services, range.previous()).await?.totals;
    Ok(Analytics { report, previous })
}
