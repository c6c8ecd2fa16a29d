//! Retention: what Baton stops keeping, and when.
//!
//! Once at start and then every [`INTERVAL`], on every node (the deletes are idempotent,
//! so nodes need not take turns): expired sessions are deleted, and refused sign-ins older
//! than `--refused-sign-in-retention-days` or beyond the newest [`REFUSED_SIGN_INS_KEPT`],
//! and webhook deliveries that ended more than [`WEBHOOK_LOG_DAYS`] ago.
//! Nothing else in the audit log is ever deleted: the database refuses it.

use std::sync::Arc;
use std::time::Duration;

use app::backend::{Clock, Purged, Retention, Store, StoreError};
use app::domain::Timestamp;

/// How often the purge runs.
pub const INTERVAL: Duration = Duration::from_secs(3600);
/// Refused sign-ins kept at most, the newest first: a flood of guesses cannot grow the
/// audit log without bound.
pub const REFUSED_SIGN_INS_KEPT: u64 = 100_000;
/// Days a finished webhook delivery and its attempts stay in the delivery log.
pub const WEBHOOK_LOG_DAYS: u32 = 30;

/// What to keep as of `now`, with refused sign-ins kept for `days`.
pub fn retention(now: Timestamp, days: u32) -> Retention {
    Retention {
        now,
        refused_since: Timestamp(now.millis() - i64::from(days) * 24 * 3600 * 1000),
        refused_kept: REFUSED_SIGN_INS_KEPT,
        deliveries_since: Timestamp(now.millis() - i64::from(WEBHOOK_LOG_DAYS) * 24 * 3600 * 1000),
    }
}

/// Purges once.
pub async fn purge(store: &dyn Store, retention: Retention) -> Result<Purged, StoreError> {
    let purged = store.purge(retention).await?;
    if purged != Purged::default() {
        tracing::info!(
            sessions = purged.sessions,
            refused_sign_ins = purged.refused_sign_ins,
            webhook_deliveries = purged.webhook_deliveries,
            "retention: purged"
        );
    }
    Ok(purged)
}

/// Purges now and then every [`INTERVAL`], until the task is aborted.
pub async fn run(store: Arc<dyn Store>, clock: Arc<dyn Clock>, days: u32) {
    let mut every = tokio::time::interval(INTERVAL);
    loop {
        every.tick().await;
        if let Err(err) = purge(store.as_ref(), retention(clock.now(), days)).await {
            tracing::warn!(%err, "retention: the purge failed; trying again later");
        }
    }
}
