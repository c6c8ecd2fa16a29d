//! Analytics for supervisors and admins: each conversation's log folded into its facts by
//! [`crate::domain::analytics`], kept by the store and brought up to date before a report
//! reads them ([`Projection`]).

use std::sync::Arc;

use super::{auth, Clock, FoldedFacts, Services, Store};
use crate::domain::analytics::{
    summaries, Analysis, ConversationSummary, Facts, Range, Report, Totals,
};
use crate::domain::{Agent, Timestamp};
use crate::error::ApiError;

/// How many conversations are folded and stored in one transaction. Their logs are in memory
/// together: under the soak's load (500 msg/s, logs of hundreds of messages) batches of 500
/// took the server's RSS from 114 to 492 MB in 7 minutes; batches of 50 hold it at 272 MB.
const FOLD_BATCH: u32 = 50;
/// How far behind `updated_at` a commit may become visible (a write's clock is read before it
/// commits; another node's clock may lag): a pass looks this much further back than the last
/// one started.
const LATE_WRITE_MS: i64 = 60_000;
/// How often the server folds what changed, so a report finds little left to do.
pub const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// The stored analytics facts kept up with the logs: a pass folds again every conversation
/// changed since the last pass began (all of them on a node's first pass) whose facts are
/// behind its log. Passes on one node take turns; passes on several nodes may overlap, and
/// the store keeps whichever facts were folded furthest.
#[derive(Default)]
pub struct Projection {
    /// When the last complete pass began (none: no pass yet on this node).
    caught_up: tokio::sync::Mutex<Option<Timestamp>>,
}

impl Projection {
    /// Folds and stores every conversation whose facts are behind its log, as of `now`
    /// (read before the pass); returns how many it folded.
    pub async fn catch_up(&self, store: &dyn Store, now: Timestamp) -> Result<usize, ApiError> {
        let mut caught_up = self.caught_up.lock().await;
        let since = caught_up.map_or(Timestamp(i64::MIN), |at| Timestamp(at.0 - LATE_WRITE_MS));
        let mut after = None;
        let mut folded = 0;
        loop {
            let logs = store.stale_logs(since, after, FOLD_BATCH).await?;
            let full = logs.len() == FOLD_BATCH as usize;
            after = logs.last().map(|log| log.conversation_id);
            folded += logs.len();
            let batch: Vec<FoldedFacts> = logs
                .into_iter()
                .map(|log| FoldedFacts {
                    conversation_id: log.conversation_id,
                    folded_seq: log.last_seq,
                    facts: Facts::of(&log.events),
                })
                .collect();
            if !batch.is_empty() {
                store.save_facts(batch).await?;
            }
            if !full {
                break;
            }
        }
        *caught_up = Some(now);
        Ok(folded)
    }

    /// Catches up now and then every [`CATCH_UP_EVERY`], until the task is aborted.
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>, clock: Arc<dyn Clock>) {
        let mut every = tokio::time::interval(CATCH_UP_EVERY);
        loop {
            every.tick().await;
            match self.catch_up(store.as_ref(), clock.now()).await {
                Ok(0) => {}
                Ok(folded) => tracing::debug!(folded, "analytics: facts folded"),
                Err(err) => {
                    tracing::warn!(?err, "analytics: folding failed; trying again later");
                }
            }
        }
    }
}

/// The report of `range` and the totals of the period as long just before it, for a
/// supervisor or an admin: the facts brought up to date once, then both counted.
#[tracing::instrument(skip_all)]
pub async fn report(services: &Services, range: Range) -> Result<(Report, Totals), ApiError> {
    admit(&auth::current_agent(services).await?)?;
    let now = caught_up(services).await?;
    let store = services.store.as_ref();
    let report = count(store, range, now).await?;
    let previous = count(store, range.previous(), now).await?.totals;
    Ok((report, previous))
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

/// Brings every conversation's facts up to date; returns the moment they are current as of.
async fn caught_up(services: &Services) -> Result<Timestamp, ApiError> {
    let now = services.now();
    services
        .analytics
        .catch_up(services.store.as_ref(), now)
        .await?;
    Ok(now)
}

/// The report of `range` as of `now`, from the facts stored.
pub async fn count(store: &dyn Store, range: Range, now: Timestamp) -> Result<Report, ApiError> {
    let conversations = store.analytics_facts(range.from, range.to).await?;
    let ratings = store.ratings(range.from, range.to).await?;
    let mut analysis = Analysis::new(range, now);
    for (_, facts) in &conversations {
        analysis.add(facts);
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
    let now = caught_up(services).await?;
    // The facts of the conversations active in the range hold those started in it; their
    // ratings came after they started, so by now.
    let conversations = services.store.analytics_facts(range.from, range.to).await?;
    let ratings = services
        .store
        .ratings(range.from, Timestamp(now.millis() + 1))
        .await?;
    Ok(summaries(&range, &conversations, &ratings))
}
