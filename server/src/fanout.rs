//! Several nodes on one PostgreSQL: a node that commits events publishes them to its own
//! sockets and sends a small `NOTIFY` hint (node, conversation id, first and last seq, never
//! the payload). Every node `LISTEN`s on one connection and forwards the new events from the
//! store to its sockets. A listener that lost its connection reconnects and catches up by
//! `seq` from the store, so a message committed meanwhile still reaches every socket.
//! Presence travels the same way, so an agent on node B is present for a transfer on node A.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::backend::{Clock, Presence, Publisher, Store, SystemClock};
use app::domain::{Agent, AgentId, Conversation, ConversationId, Event, Timestamp};
use sqlx::postgres::{PgListener, PgPoolOptions};

use crate::hub::Hub;
use crate::store::postgres::PgStore;

/// The channel of event hints.
pub const EVENTS_CHANNEL: &str = "baton_events";
/// The channel of presence hints.
pub const PRESENCE_CHANNEL: &str = "baton_presence";
/// The listener's connection name (visible in `pg_stat_activity`).
pub const LISTENER_NAME: &str = "baton-listener";
/// How far back a reconnected listener looks for events it may have missed.
const CATCH_UP_MARGIN_MS: i64 = 5_000;

/// Conversations whose last forwarded seq a node remembers at most.
const FORWARDED_KEPT: usize = 10_000;

/// Publishes locally and tells the other nodes.
pub struct Fanout {
    node: String,
    hub: Arc<Hub>,
    store: PgStore,
    /// The last seq this node's sockets were given, per conversation.
    forwarded: Mutex<HashMap<ConversationId, u64>>,
}

impl Fanout {
    /// A fan-out for this node.
    pub fn new(hub: Arc<Hub>, store: PgStore) -> Arc<Self> {
        let fanout = Arc::new(Self {
            node: uuid::Uuid::new_v4().simple().to_string(),
            hub: hub.clone(),
            store,
            forwarded: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&fanout);
        hub.set_presence_hook(Box::new(move |agent, sockets, number| {
            if let Some(fanout) = weak.upgrade() {
                let payload = format!("{}:{agent}:{sockets}:{number}", fanout.node);
                let store = fanout.store.clone();
                tokio::spawn(async move { store.notify(PRESENCE_CHANNEL, &payload).await });
            }
        }));
        fanout
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The listener connection's `application_name`: `baton-listener-<node>`.
    pub fn listener_name(&self) -> String {
        format!("{LISTENER_NAME}-{}", &self.node[..12])
    }

    fn remember(&self, id: ConversationId, last: u64) {
        let mut forwarded = self.forwarded.lock().expect("fan-out lock poisoned");
        if forwarded.len() >= FORWARDED_KEPT && !forwarded.contains_key(&id) {
            // Forgetting costs at most a repeated forward, which every socket drops by seq:
            // the map stays bounded however many conversations a node has ever seen.
            forwarded.clear();
        }
        let known = forwarded.entry(id).or_insert(0);
        *known = (*known).max(last);
    }

    /// Listens for other nodes' hints until the task is aborted.
    pub async fn listen(self: Arc<Self>) {
        let options = (*self.store.pool().connect_options())
            .clone()
            .application_name(&self.listener_name());
        let mut lost_at: Option<Timestamp> = None;
        loop {
            let listener = async {
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await?;
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.ignore_pool_close_event(true);
                listener
                    .listen_all([EVENTS_CHANNEL, PRESENCE_CHANNEL])
                    .await?;
                Ok::<_, sqlx::Error>((pool, listener))
            }
            .await;
            let (pool, mut listener) = match listener {
                Ok(ready) => ready,
                Err(err) => {
                    tracing::warn!(%err, "listener could not connect; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if let Some(since) = lost_at.take() {
                self.catch_up(since).await;
            }
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        self.handle(notification.channel(), notification.payload())
                            .await
                    }
                    Ok(None) | Err(_) => {
                        tracing::warn!("listener connection lost; reconnecting and catching up");
                        lost_at = Some(Timestamp(SystemClock.now().millis() - CATCH_UP_MARGIN_MS));
                        break;
                    }
                }
            }
            drop(listener);
            pool.close().await;
        }
    }

    async fn handle(&self, channel: &str, payload: &str) {
        let parts: Vec<&str> = payload.split(':').collect();
        match (channel, parts.as_slice()) {
            (EVENTS_CHANNEL, [node, id, first, last]) if *node != self.node => {
                let (Ok(id), Ok(first), Ok(last)) = (
                    ConversationId::parse(id),
                    first.parse::<u64>(),
                    last.parse::<u64>(),
                ) else {
                    return;
                };
                self.forward(id, first, last).await;
            }
            (PRESENCE_CHANNEL, [node, agent, sockets, number]) if *node != self.node => {
                if let (Ok(agent), Ok(sockets), Ok(number)) =
                    (AgentId::parse(agent), sockets.parse(), number.parse())
                {
                    self.hub.remote_presence(node, agent, sockets, number);
                }
            }
            _ => {}
        }
    }

    /// Gives this node's sockets the events of `id` it has not had yet, up to at least `last`.
    async fn forward(&self, id: ConversationId, first: u64, last: u64) {
        let known = self
            .forwarded
            .lock()
            .expect("fan-out lock poisoned")
            .get(&id)
            .copied();
        if known.is_some_and(|k| k >= last) {
            return;
        }
        let after = known.unwrap_or(first.saturating_sub(1));
        self.forward_after(id, after).await;
    }

    async fn forward_after(&self, id: ConversationId, after: u64) {
        let (events, conversation) = match (
            self.store.events(id, after, 1_000).await,
            self.store.conversation(id).await,
        ) {
            (Ok(events), Ok(conversation)) => (events, conversation),
            (Err(err), _) | (_, Err(err)) => {
                tracing::warn!(%err, conversation_id = %id, "could not forward events");
                return;
            }
        };
        if let Some(last) = events.last().map(|e| e.seq) {
            self.remember(id, last);
            self.hub.publish(&conversation, &events);
        }
    }

    /// After a lost connection: forward everything committed since `since` that this node's
    /// sockets have not had.
    async fn catch_up(&self, since: Timestamp) {
        let changed = match self.store.events_since(since).await {
            Ok(changed) => changed,
            Err(err) => {
                tracing::warn!(%err, "listener could not catch up");
                return;
            }
        };
        for (id, first) in changed {
            let known = self
                .forwarded
                .lock()
                .expect("fan-out lock poisoned")
                .get(&id)
                .copied();
            let after = known.map_or(first.saturating_sub(1), |k| k.max(first.saturating_sub(1)));
            self.forward_after(id, after).await;
        }
    }
}

impl Publisher for Fanout {
    fn publish(&self, conversation: &Conversation, events: &[Event]) {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return;
        };
        self.remember(conversation.id, last.seq);
        self.hub.publish(conversation, events);
        let payload = format!(
            "{}:{}:{}:{}",
            self.node, conversation.id, first.seq, last.seq
        );
        let store = self.store.clone();
        tokio::spawn(async move { store.notify(EVENTS_CHANNEL, &payload).await });
    }

    fn presence_changed(&self, agent: &Agent) {
        self.hub.presence_changed(agent);
    }
}

impl Presence for Fanout {
    fn touch(&self, agent: AgentId) {
        self.hub.touch(agent);
    }

    fn is_present(&self, agent: AgentId) -> bool {
        self.hub.is_present(agent)
    }

    fn connections(&self, agent: AgentId) -> usize {
        self.hub.connections(agent)
    }
}

/// How often a node says it is alive, and how long one unheard of still counts.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(2);
const NODE_WINDOW: std::time::Duration = std::time::Duration::from_secs(10);

/// Says every [`HEARTBEAT`] that this node serves the database, and gives the rate limits
/// their share: the rate ÷ the nodes alive. Runs until aborted.
pub async fn heartbeat(store: PgStore, node: String, limits: Arc<crate::limits::TokenBuckets>) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        ticks.tick().await;
        match store.heartbeat(&node, SystemClock.now(), NODE_WINDOW).await {
            Ok(nodes) => {
                if nodes != limits.nodes() {
                    tracing::info!(nodes, "nodes sharing the rate limits");
                }
                limits.set_nodes(nodes);
            }
            Err(err) => tracing::warn!(%err, "could not record this node's heartbeat"),
        }
    }
}
