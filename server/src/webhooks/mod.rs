//! Webhook delivery: the dispatcher that sends the outbox.
//!
//! Every append of events writes, in its own transaction, one delivery per event for each
//! enabled endpoint that takes its type (`store::sql::enqueue_deliveries`): an event is
//! never stored without its deliveries. Each node runs a [`Dispatcher`] that claims due
//! deliveries for a minute (so of several nodes exactly one attempts each, and a node that
//! dies mid-attempt leaves the delivery to be claimed again), sends each signed per the
//! Standard Webhooks specification ([`sign`]), logs the attempt and schedules the next on
//! [`RETRY_SECS`] until one succeeds. Delivery is at least once: the `webhook-id` is the
//! same on every attempt, so a receiver drops what it has already seen.
//!
//! Outcomes: 2xx delivered; `410 Gone` disables the endpoint (its pending deliveries fail
//! with it); `429` waits at least its `Retry-After`; anything else, an unreachable receiver
//! or no answer in [`TIMEOUT`] is retried; after the last attempt the delivery fails.

/// Where deliveries may go: no internal addresses unless allowed.
pub mod egress;
/// Standard Webhooks signatures.
pub mod sign;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::{Clock, StoreError};
use app::domain::webhook::{Attempt, Delivery, DeliveryStatus, WebhookEndpoint};
use app::domain::Timestamp;
use async_trait::async_trait;
use futures::StreamExt;

use crate::store::rows::Keys;

/// The waits after each failed attempt, in seconds: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
/// 10 h (the first attempt is immediate: eight attempts over about 27.6 hours), each
/// with ±20 % jitter.
pub const RETRY_SECS: [u64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// How long an attempt waits for the receiver's answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How long a node holds the deliveries it claimed: longer than any attempt takes.
const CLAIM: Duration = Duration::from_secs(60);
/// Deliveries claimed (and sent concurrently) at a time.
const BATCH: u32 = 16;
/// The longest an idle dispatcher waits before looking again (another node may have
/// written deliveries).
const IDLE: Duration = Duration::from_millis(500);
/// The most of a receiver's answer the log keeps.
const RESPONSE_BYTES: usize = 1024;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What the dispatcher needs of the store.
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Claims up to `limit` deliveries due at `now` for this node until `until`.
    async fn claim(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// When the earliest pending delivery is due, if any is pending.
    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError>;
    /// An endpoint with its signing keys.
    async fn endpoint(&self, id: &str) -> Result<Option<(WebhookEndpoint, Keys)>, StoreError>;
    /// A stored event's time and JSON, for a delivery's payload (None once purged).
    async fn event(&self, id: &str, seq: u64) -> Result<Option<(Timestamp, String)>, StoreError>;
    /// Logs an attempt at a delivery and sets where the delivery stands after it; when
    /// `gone` is set the endpoint is disabled with that reason and its pending deliveries
    /// fail with it.
    async fn finish(
        &self,
        delivery: &Delivery,
        attempt: Attempt,
        status: DeliveryStatus,
        next_attempt_at: Option<Timestamp>,
        gone: Option<String>,
    ) -> Result<(), StoreError>;
}

/// How the dispatcher sends.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The waits after each failed attempt.
    pub retry: Vec<Duration>,
    /// Whether internal addresses may be sent to.
    pub allow_private: bool,
}

/// Sends the outbox, on every node.
pub struct Dispatcher {
    outbox: Arc<dyn Outbox>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    http: reqwest::Client,
}

impl Dispatcher {
    pub fn new(outbox: Arc<dyn Outbox>, clock: Arc<dyn Clock>, settings: Settings) -> Arc<Self> {
        let http = egress::client(settings.allow_private, TIMEOUT);
        Arc::new(Self {
            outbox,
            clock,
            settings,
            http,
        })
    }

    /// Claims and sends due deliveries until the task is aborted.
    pub async fn run(self: Arc<Self>) {
        loop {
            let now = self.clock.now();
            let until = Timestamp(now.millis() + CLAIM.as_millis() as i64);
            match self.outbox.claim(now, until, BATCH).await {
                Ok(claimed) if !claimed.is_empty() => {
                    futures::stream::iter(claimed)
                        .for_each_concurrent(None, |delivery| self.attempt(delivery))
                        .await;
                    continue;
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "webhooks: could not claim deliveries"),
            }
            let wait = match self.outbox.next_due().await {
                Ok(Some(due)) => Duration::from_millis(
                    (due.millis() - self.clock.now().millis()).clamp(0, IDLE.as_millis() as i64)
                        as u64,
                ),
                _ => IDLE,
            };
            tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
        }
    }

    /// One attempt at `delivery`, logged, and where it stands after it.
    async fn attempt(&self, delivery: Delivery) {
        let started = self.clock.now();
        let (sent, gone, retry) = match self.prepare(&delivery).await {
            Ok(Some((endpoint, keys, body))) => {
                let outcome = self.send(&endpoint, &keys, &delivery, body).await;
                let gone = (outcome.status == Some(410))
                    .then(|| format!("The receiver answered 410 Gone at {}", iso(started)));
                let retry = if gone.is_some() {
                    Retry::Never
                } else {
                    Retry::Later
                };
                (outcome, gone, retry)
            }
            Ok(None) => return,
            Err((why, retry)) => (
                Sent {
                    status: None,
                    response: why,
                    retry_after: None,
                    latency: Duration::ZERO,
                },
                None,
                retry,
            ),
        };
        let (status, next) = self.after(&delivery, &sent, retry);
        let attempt = Attempt {
            at: started,
            status: sent.status,
            latency_ms: sent.latency.as_millis() as u64,
            response: sent.response,
        };
        crate::metrics::get().webhook(match (status, &gone) {
            (DeliveryStatus::Delivered, _) => "delivered",
            (_, Some(_)) => "gone",
            (DeliveryStatus::Pending, None) => "retry",
            (DeliveryStatus::Failed, None) => "failed",
        });
        if status != DeliveryStatus::Delivered {
            tracing::info!(delivery = %delivery.id, status = ?attempt.status,
                           response = %attempt.response, ?next, "webhook attempt failed");
        }
        if let Err(err) = self
            .outbox
            .finish(&delivery, attempt, status, next, gone)
            .await
        {
            // The claim lapses and the delivery is attempted again: at least once.
            tracing::warn!(%err, delivery = %delivery.id, "webhooks: could not log an attempt");
        }
    }

    /// The endpoint, its keys and the body to send; `Ok(None)` when the endpoint is gone
    /// (removed with its deliveries); `Err` with why it cannot be sent and whether a later
    /// attempt could be.
    async fn prepare(
        &self,
        delivery: &Delivery,
    ) -> Result<Option<(WebhookEndpoint, Keys, String)>, (String, Retry)> {
        let unavailable = |err: StoreError| {
            (
                format!("not sent: the database failed ({err})"),
                Retry::Later,
            )
        };
        let hopeless = |why: &str| (why.to_owned(), Retry::Never);
        let Some((endpoint, keys)) = self
            .outbox
            .endpoint(&delivery.endpoint_id)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        if !endpoint.enabled {
            return Err(hopeless("not sent: the endpoint is disabled"));
        }
        let (conversation, seq) = (delivery.conversation_id.as_str(), delivery.seq);
        let Some((at, event)) = self
            .outbox
            .event(conversation, seq)
            .await
            .map_err(unavailable)?
        else {
            return Err(hopeless(
                "not sent: the event is no longer stored (retention)",
            ));
        };
        let event: serde_json::Value = serde_json::from_str(&event)
            .map_err(|_| hopeless("not sent: the stored event is invalid"))?;
        let body = serde_json::json!({
            "type": delivery.event_type,
            "timestamp": iso(at),
            "data": {
                "conversation_id": conversation,
                "seq": seq,
                "event": event,
            },
        });
        Ok(Some((endpoint, keys, body.to_string())))
    }

    async fn send(
        &self,
        endpoint: &WebhookEndpoint,
        keys: &Keys,
        delivery: &Delivery,
        body: String,
    ) -> Sent {
        let started = Instant::now();
        let failed = |response: String| Sent {
            status: None,
            response,
            retry_after: None,
            latency: started.elapsed(),
        };
        if let Some(refused) = egress::refused_literal(&endpoint.url, self.settings.allow_private) {
            return failed(refused);
        }
        let now = self.clock.now();
        let timestamp = now.millis().div_euclid(1000);
        let mut signing = vec![keys.current.as_str()];
        if let Some((previous, until)) = &keys.previous {
            if *until > now {
                signing.push(previous.as_str());
            }
        }
        let signature = sign::header(&signing, &delivery.id, timestamp, body.as_bytes());
        let request = self
            .http
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return failed(describe(&err)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
        let mut answer = Vec::new();
        let mut response = response;
        while answer.len() < RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                _ => break,
            }
        }
        answer.truncate(RESPONSE_BYTES);
        Sent {
            status: Some(status),
            response: String::from_utf8_lossy(&answer).into_owned(),
            retry_after,
            latency: started.elapsed(),
        }
    }

    /// Where a delivery stands after an attempt: delivered, failed, or pending with the
    /// time of the next attempt.
    fn after(
        &self,
        delivery: &Delivery,
        sent: &Sent,
        retry: Retry,
    ) -> (DeliveryStatus, Option<Timestamp>) {
        if sent
            .status
            .is_some_and(|status| (200..300).contains(&status))
        {
            return (DeliveryStatus::Delivered, None);
        }
        let made = delivery.attempts as usize + 1;
        let wait = self.settings.retry.get(made - 1).copied();
        let Some(wait) = wait.filter(|_| retry == Retry::Later) else {
            return (DeliveryStatus::Failed, None);
        };
        let jittered = jitter(wait);
        let wait = match sent.retry_after {
            Some(asked) if sent.status == Some(429) => jittered.max(asked),
            _ => jittered,
        };
        let next = Timestamp(self.clock.now().millis() + wait.as_millis() as i64);
        (DeliveryStatus::Pending, Some(next))
    }
}

/// Whether a failed attempt is worth another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// On the schedule.
    Later,
    /// No: the endpoint is gone or disabled, or the event no longer exists.
    Never,
}

/// What an attempt got back.
struct Sent {
    status: Option<u16>,
    response: String,
    retry_after: Option<Duration>,
    latency: Duration,
}

/// ±20 %.
fn jitter(wait: Duration) -> Duration {
    let factor = 0.8 + rand::random::<f64>() * 0.4;
    wait.mul_f64(factor)
}

/// A time as ISO 8601 in UTC.
fn iso(at: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(at.millis())
        .map(|at| at.to_string())
        .unwrap_or_default()
}

/// Why a request failed, for the delivery log, without the URL's secrets.
fn describe(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    let mut text = if err.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    while let Some(source) = cause.source() {
        cause = source;
        if cause.to_string().starts_with("refused:") {
            return cause.to_string();
        }
    }
    if !err.is_timeout() {
        text.push_str(&format!(": {cause}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..1_000 {
            let wait = jitter(Duration::from_secs(100));
            assert!((80.0..=120.0).contains(&wait.as_secs_f64()), "{wait:?}");
        }
    }

    #[test]
    fn the_documented_schedule_spans_about_a_day_and_a_bit() {
        let total: u64 = RETRY_SECS.iter().sum();
        assert_eq!(RETRY_SECS.len() + 1, 8);
        assert_eq!(total, 99_305);
    }
}
