//! Analytics of the hand-off for supervisors and admins (see [`crate::domain::analytics`]
//! for every definition).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::analytics::{Range, Report, Totals};
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

    let services = Services::from_context()?;
    let range = RangeQuery {
        from,
        to,
        utc_offset_minutes,
    }
    .range()?;
    let (report, previous) = analytics::report(&services, range).await?;
    Ok(Analytics { report, previous })
}

/// The conversations started in a range as CSV, one line each
/// ([`crate::domain::analytics::SUMMARY_COLUMNS`]): `GET` with a [`RangeQuery`] in the query
/// string. A plain route rather than a server function, so a link can download it.
pub const CONVERSATIONS_CSV: &str = "/api/analytics/conversations.csv";

/// A range as the analytics take it: `[from, to)` in ms since the epoch, days cut at local
/// midnight of `utc_offset_minutes` (default 0: UTC). The report's arguments, and the
/// downloads' query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    #[serde(default)]
    pub utc_offset_minutes: Option<i32>,
}

impl RangeQuery {
    /// The range, or a 400 saying what is wrong with it.
    pub fn range(&self) -> Result<Range, ApiError> {
        Range::new(self.from, self.to, self.utc_offset_minutes.unwrap_or(0))
            .map_err(ApiError::bad_input)
    }

    /// The link that downloads this range's conversations as CSV.
    pub fn conversations_csv(&self) -> String {
        let mut href = format!(
            "{CONVERSATIONS_CSV}?from={}&to={}",
            self.from.millis(),
            self.to.millis()
        );
        if let Some(offset) = self.utc_offset_minutes {
            href.push_str(&format!("&utc_offset_minutes={offset}"));
        }
        href
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_link_carries_the_range_as_the_report_takes_it() {
        let week = RangeQuery {
            from: Timestamp(1_793_552_400_000),
            to: Timestamp(1_794_157_200_000),
            utc_offset_minutes: Some(420),
        };
        assert_eq!(
            week.conversations_csv(),
            "/api/analytics/conversations.csv?from=1793552400000&to=1794157200000\
             &utc_offset_minutes=420"
        );
        assert!(week.range().is_ok());
        let utc = RangeQuery {
            utc_offset_minutes: None,
            ..week
        };
        assert!(!utc.conversations_csv().contains("utc_offset"));
        let backwards = RangeQuery {
            from: week.to,
            to: week.from,
            ..week
        };
        assert!(matches!(backwards.range(), Err(ApiError::BadInput { .. })));
    }
}
