//! Prometheus metrics (`/metrics`, text exposition via the `prometheus-client` crate).
//!
//! One registry per process. Counters and the hand-off timings are read from the events this
//! node commits ([`Metered`] wraps the publisher), so several nodes add up without counting
//! an event twice; commit and AI timings are measured where they happen; the queue and the
//! agents online are read from the store when scraped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use app::backend::{Publisher, Reply, ReplyContext, Responder, ResponderError, Store};
use app::domain::{Agent, Author, Availability, Conversation, ConversationId, Event, EventKind};
use async_trait::async_trait;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

/// A metric's labels: name and value pairs.
type Labels = Vec<(&'static str, String)>;

/// Conversations tracked at most for the hand-off timings (beyond, the oldest are dropped).
const TRACKED: usize = 100_000;

/// Every metric Baton exports.
pub struct Metrics {
    registry: Registry,
    takeovers: Counter,
    forced_takeovers: Counter,
    assignments: Counter,
    handovers: Counter,
    transfers: Counter,
    escalations: Family<Labels, Counter>,
    requeues: Family<Labels, Counter>,
    webhook_deliveries: Family<Labels, Counter>,
    time_to_takeover: Histogram,
    first_reply: Histogram,
    delivery: Histogram,
    store_commit: Histogram,
    ai_reply: Histogram,
    sockets: Family<Labels, Gauge>,
    queue_length: Gauge,
    agents_online: Gauge,
    /// Since when each conversation waits for a person (ms), as this node saw it.
    waiting: Mutex<HashMap<ConversationId, i64>>,
    /// When each conversation was taken over and its owner has not written yet (ms).
    taken: Mutex<HashMap<ConversationId, i64>>,
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("baton");
        let counter = |registry: &mut Registry, name: &str, help: &str| {
            let counter = Counter::default();
            registry.register(name, help, counter.clone());
            counter
        };
        let family = |registry: &mut Registry, name: &str, help: &str| {
            let family = Family::<Labels, Counter>::default();
            registry.register(name, help, family.clone());
            family
        };
        // 1 ms to about 9 hours: waits for a person are minutes, commits milliseconds.
        let seconds = |registry: &mut Registry, name: &str, help: &str, start: f64, n: u16| {
            let histogram = Histogram::new(exponential_buckets(start, 2.0, n));
            registry.register_with_unit(name, help, Unit::Seconds, histogram.clone());
            histogram
        };
        let takeovers = counter(
            &mut registry,
            "takeovers",
            "Conversations an agent took over from the AI",
        );
        let forced_takeovers = counter(
            &mut registry,
            "forced_takeovers",
            "Conversations a supervisor took from their owner",
        );
        let assignments = counter(
            &mut registry,
            "assignments",
            "Conversations auto-assignment gave to an agent",
        );
        let handovers = counter(
            &mut registry,
            "handovers",
            "Conversations handed back to the AI",
        );
        let transfers = counter(
            &mut registry,
            "transfers",
            "Conversations transferred to another agent",
        );
        let escalations = family(
            &mut registry,
            "escalations",
            "Conversations that started waiting for a person, by reason",
        );
        let requeues = family(
            &mut registry,
            "requeues",
            "Conversations that went back to the queue, by reason",
        );
        let webhook_deliveries = family(
            &mut registry,
            "webhook_delivery_attempts",
            "Webhook delivery attempts, by outcome (delivered, retry, failed, gone)",
        );
        let time_to_takeover = seconds(
            &mut registry,
            "time_to_takeover",
            "From waiting for a person to a takeover or assignment",
            0.5,
            16,
        );
        let first_reply = seconds(
            &mut registry,
            "first_agent_reply",
            "From a takeover or assignment to the owner's first message",
            0.5,
            16,
        );
        let delivery = seconds(
            &mut registry,
            "customer_message_delivery",
            "From a customer message's commit to its frame on an agent's socket",
            0.000_5,
            14,
        );
        let store_commit = seconds(
            &mut registry,
            "store_commit",
            "A write transaction, queued to committed",
            0.000_25,
            14,
        );
        let ai_reply = seconds(
            &mut registry,
            "ai_reply",
            "The AI's answer to a customer message",
            0.000_25,
            18,
        );
        let sockets = Family::<Labels, Gauge>::default();
        registry.register(
            "open_sockets",
            "Open WebSockets on this node, by kind (agent, customer)",
            sockets.clone(),
        );
        let queue_length = Gauge::default();
        registry.register(
            "queue_length",
            "Conversations waiting for a person",
            queue_length.clone(),
        );
        let agents_online = Gauge::default();
        registry.register(
            "agents_online",
            "Agents whose status is online",
            agents_online.clone(),
        );
        Self {
            registry,
            takeovers,
            forced_takeovers,
            assignments,
            handovers,
            transfers,
            escalations,
            requeues,
            webhook_deliveries,
            time_to_takeover,
            first_reply,
            delivery,
            store_commit,
            ai_reply,
            sockets,
            queue_length,
            agents_online,
            waiting: Mutex::default(),
            taken: Mutex::default(),
        }
    }

    /// Counts and times what `events` (just committed on this node) say happened.
    pub fn committed(&self, conversation: &Conversation, events: &[Event]) {
        let id = conversation.id;
        let mut waiting = self.waiting.lock().expect("metrics lock poisoned");
        let mut taken = self.taken.lock().expect("metrics lock poisoned");
        for event in events {
            let at = event.at.millis();
            match &event.kind {
                EventKind::WaitingForHuman { reason, .. } => {
                    self.escalations
                        .get_or_create(&vec![("reason", reason.as_str().to_owned())])
                        .inc();
                    waiting.insert(id, at);
                }
                EventKind::Requeued { reason, .. } => {
                    self.requeues
                        .get_or_create(&vec![("reason", reason.as_str().to_owned())])
                        .inc();
                    waiting.insert(id, at);
                    taken.remove(&id);
                }
                EventKind::TakenOver { .. } | EventKind::Assigned { .. } => {
                    if matches!(event.kind, EventKind::TakenOver { .. }) {
                        self.takeovers.inc();
                    } else {
                        self.assignments.inc();
                    }
                    if let Some(since) = waiting.remove(&id) {
                        self.time_to_takeover.observe(seconds_between(since, at));
                    }
                    taken.insert(id, at);
                }
                EventKind::ForcedTakeover { .. } => {
                    self.forced_takeovers.inc();
                }
                EventKind::HandedOver { .. } => {
                    self.handovers.inc();
                    taken.remove(&id);
                }
                EventKind::Transferred { .. } => {
                    self.transfers.inc();
                }
                EventKind::Closed { .. } => {
                    waiting.remove(&id);
                    taken.remove(&id);
                }
                EventKind::Message { message }
                    if matches!(message.author, Author::Agent { .. }) =>
                {
                    if let Some(since) = taken.remove(&id) {
                        self.first_reply.observe(seconds_between(since, at));
                    }
                }
                _ => {}
            }
        }
        for map in [&mut *waiting, &mut *taken] {
            if map.len() > TRACKED {
                map.clear();
            }
        }
    }

    /// A customer message reached an agent's socket `latency` after its commit.
    pub fn delivered(&self, latency: Duration) {
        self.delivery.observe(latency.as_secs_f64());
    }

    /// A write transaction took `took`.
    pub fn commit(&self, took: Duration) {
        self.store_commit.observe(took.as_secs_f64());
    }

    /// A webhook attempt ended with `outcome`.
    pub fn webhook(&self, outcome: &str) {
        self.webhook_deliveries
            .get_or_create(&vec![("outcome", outcome.to_owned())])
            .inc();
    }

    /// Counts an open socket of `kind` until the guard is dropped.
    pub fn socket(&'static self, kind: &'static str) -> SocketGuard {
        let gauge = self
            .sockets
            .get_or_create(&vec![("kind", kind.to_owned())])
            .clone();
        gauge.inc();
        SocketGuard(gauge)
    }

    /// The text exposition, after reading the queue and the team from `store`.
    pub async fn render(&self, store: &dyn Store) -> String {
        if let Ok(queue) = store.queue().await {
            self.queue_length.set(queue.len() as i64);
        }
        if let Ok(agents) = store.agents().await {
            let online = agents
                .iter()
                .filter(|o| o.agent.status == Availability::Online)
                .count();
            self.agents_online.set(online as i64);
        }
        let mut text = String::new();
        if let Err(err) = encode(&mut text, &self.registry) {
            tracing::error!(%err, "metrics could not be encoded");
        }
        text
    }
}

/// Keeps a socket counted while it is open.
pub struct SocketGuard(Gauge);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn seconds_between(from_ms: i64, to_ms: i64) -> f64 {
    (to_ms - from_ms).max(0) as f64 / 1000.0
}

/// The publisher, counting what this node commits before passing it on.
pub struct Metered(pub Arc<dyn Publisher>);

impl Publisher for Metered {
    fn publish(&self, conversation: &Conversation, events: &[Event]) {
        get().committed(conversation, events);
        self.0.publish(conversation, events);
    }

    fn presence_changed(&self, agent: &Agent) {
        self.0.presence_changed(agent);
    }
}

/// The responder, timed.
pub struct Timed(pub Arc<dyn Responder>);

#[async_trait]
impl Responder for Timed {
    async fn reply(&self, context: ReplyContext) -> Result<Reply, ResponderError> {
        let started = std::time::Instant::now();
        let reply = self.0.reply(context).await;
        get().ai_reply.observe(started.elapsed().as_secs_f64());
        reply
    }

    fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_names_every_metric_with_its_unit_and_suffix() {
        let text = futures::executor::block_on(async {
            let metrics = get();
            metrics.commit(Duration::from_millis(2));
            metrics.webhook("delivered");
            let mut text = String::new();
            encode(&mut text, &metrics.registry).unwrap();
            text
        });
        for name in [
            "baton_takeovers_total",
            "baton_handovers_total",
            "baton_transfers_total",
            "baton_store_commit_seconds_bucket",
            "baton_time_to_takeover_seconds_count",
            "baton_webhook_delivery_attempts_total{outcome=\"delivered\"}",
            "baton_queue_length",
            "baton_agents_online",
        ] {
            assert!(text.contains(name), "{name} in:\n{text}");
        }
    }
}
