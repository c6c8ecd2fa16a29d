//! The realtime hub: fans committed events and ephemeral signals out to live sockets, and
//! keeps track of who is present.
//!
//! Per-conversation broadcast channels are created lazily on first subscription and dropped
//! when their last subscriber has left: a [`Subscription`] releases its channel when it is
//! dropped, on every path (a refused handshake, a socket that ends, a task that panics).
//! Customers hear only their own conversation's channel (committed events and the owner's
//! typing); agents' dashboards subscribe to one team channel and to the signals channel
//! (everyone's typing, presence). A customer's typing is forwarded at most once per
//! [`CUSTOMER_TYPING_INTERVAL`] per conversation, however many sockets it has open.
//! A receiver that lags behind loses its place in the channel (`RecvError::Lagged`); the
//! socket then resyncs from the store by `seq`, so it misses nothing and never slows others.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::backend::{Presence, Publisher};
use app::domain::{Agent, AgentId, Availability, Conversation, ConversationId, Event};
use app::live::{ServerFrame, Typist};
use tokio::sync::broadcast;

/// How many events a conversation channel buffers for a slow receiver before it must resync.
const CHANNEL_CAPACITY: usize = 256;
/// A conversation's customer typing reaches the dashboards at most this often.
pub const CUSTOMER_TYPING_INTERVAL: Duration = Duration::from_secs(1);
/// Typing timestamps kept before old ones are swept.
const TYPING_SWEEP_AT: usize = 10_000;
/// An agent without a live socket or any activity for this long counts as offline.
pub const PRESENCE_GRACE: Duration = Duration::from_secs(30);

/// Events committed together in one conversation.
#[derive(Debug, Clone)]
pub struct Published {
    pub conversation: Conversation,
    pub events: Vec<Event>,
    /// The frame every agent socket sends for them, serialised once by the first socket
    /// that sends it (the others share the bytes).
    pub agent_frame: std::sync::OnceLock<axum::extract::ws::Utf8Bytes>,
    /// The same for customer sockets (the customer's view).
    pub customer_frame: std::sync::OnceLock<axum::extract::ws::Utf8Bytes>,
}

impl Published {
    pub fn new(conversation: Conversation, events: Vec<Event>) -> Self {
        Self {
            conversation,
            events,
            agent_frame: std::sync::OnceLock::new(),
            customer_frame: std::sync::OnceLock::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Seen {
    name: String,
    status: Availability,
    sockets: usize,
    last_seen: Instant,
}

/// What a conversation's channel carries to its customer sockets.
#[derive(Debug, Clone)]
pub enum Feed {
    /// Events committed together.
    Committed(Arc<Published>),
    /// The owning agent is typing (a ready `Typing` frame).
    Typing(Arc<ServerFrame>),
    /// The customer's place in the queue changed (a ready `Queue` frame).
    Queue(Arc<ServerFrame>),
}

/// Why a socket was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The conversation has as many live sockets as it may.
    ConversationFull,
    /// The network address has as many live sockets as it may.
    AddressFull,
}

/// Other nodes' reports: agent → node → (live sockets there, when reported, the report's
/// number).
type RemotePresence = HashMap<AgentId, HashMap<String, (usize, Instant, u64)>>;

/// Told of this node's presence changes: (agent, live sockets here, the report's number,
/// rising with every report). Other nodes hear of them, and keep the latest by number:
/// reports may arrive out of order.
pub type PresenceHook = Box<dyn Fn(AgentId, usize, u64) + Send + Sync>;

/// Lazily created broadcast channels, the team channel, the ephemeral channel, and presence.
pub struct Hub {
    conversations: Mutex<HashMap<ConversationId, broadcast::Sender<Feed>>>,
    /// Live sockets per network address.
    addresses: Mutex<HashMap<IpAddr, usize>>,
    /// When each conversation's customer typing was last forwarded.
    customer_typing: Mutex<HashMap<ConversationId, Instant>>,
    team: broadcast::Sender<Arc<Published>>,
    live: broadcast::Sender<Arc<ServerFrame>>,
    presence: Mutex<HashMap<AgentId, Seen>>,
    remote: Mutex<RemotePresence>,
    hook: std::sync::OnceLock<PresenceHook>,
    /// The number of this node's next presence report.
    reports: std::sync::atomic::AtomicU64,
    grace: Duration,
    /// Turns true once the server is shutting down: every socket says goodbye.
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(PRESENCE_GRACE)
    }
}

impl Hub {
    /// An empty hub; agents stay present for `grace` after their last activity.
    pub fn new(grace: Duration) -> Self {
        Self {
            conversations: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
            customer_typing: Mutex::new(HashMap::new()),
            team: broadcast::channel(CHANNEL_CAPACITY * 4).0,
            live: broadcast::channel(CHANNEL_CAPACITY).0,
            presence: Mutex::new(HashMap::new()),
            remote: Mutex::new(HashMap::new()),
            hook: std::sync::OnceLock::new(),
            reports: std::sync::atomic::AtomicU64::new(1),
            grace,
            closing: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Tells every socket that the server is shutting down.
    pub fn close_sockets(&self) {
        self.closing.send_replace(true);
    }

    /// True once the server is shutting down.
    pub fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// Resolves once the server is shutting down.
    pub fn closing(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Sets who hears of this node's presence changes (once).
    pub fn set_presence_hook(&self, hook: PresenceHook) {
        let _ = self.hook.set(hook);
    }

    /// Another node reports `sockets` live sockets of `agent` there, in its report number
    /// `number`; an older report arriving late changes nothing.
    pub fn remote_presence(&self, node: &str, agent: AgentId, sockets: usize, number: u64) {
        let mut remote = self.remote.lock().expect("presence lock poisoned");
        let nodes = remote.entry(agent).or_default();
        match nodes.get(node) {
            Some((_, _, latest)) if *latest >= number => {}
            _ => {
                nodes.insert(node.to_owned(), (sockets, Instant::now(), number));
            }
        }
    }

    fn report(&self, agent: AgentId) {
        if let Some(hook) = self.hook.get() {
            // Numbered under the lock, so a later report always carries the later count.
            let presence = self.presence.lock().expect("presence lock poisoned");
            let sockets = presence.get(&agent).map_or(0, |seen| seen.sockets);
            let number = self
                .reports
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            hook(agent, sockets, number);
        }
    }

    fn remote_present_at(&self, agent: AgentId, now: Instant) -> bool {
        let remote = self.remote.lock().expect("presence lock poisoned");
        remote.get(&agent).is_some_and(|nodes| {
            nodes.values().any(|(sockets, reported, _)| {
                *sockets > 0 || now.saturating_duration_since(*reported) < self.grace
            })
        })
    }

    /// Receives one conversation's feed from now on, unless it already has `cap` live
    /// subscriptions (0: no cap). The channel is released when the subscription is dropped.
    pub fn subscribe(
        self: &Arc<Self>,
        id: ConversationId,
        cap: usize,
    ) -> Result<Subscription, Refused> {
        let mut channels = self.conversations.lock().expect("hub lock poisoned");
        let sender = channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0);
        if cap > 0 && sender.receiver_count() >= cap {
            return Err(Refused::ConversationFull);
        }
        Ok(Subscription {
            receiver: Some(sender.subscribe()),
            hub: self.clone(),
            id,
        })
    }

    /// Holds one of `address`'s live sockets, unless it already has `cap` (0: no cap).
    pub fn admit(self: &Arc<Self>, address: IpAddr, cap: usize) -> Result<AddressSlot, Refused> {
        let mut addresses = self.addresses.lock().expect("hub lock poisoned");
        let open = addresses.entry(address).or_insert(0);
        if cap > 0 && *open >= cap {
            return Err(Refused::AddressFull);
        }
        *open += 1;
        Ok(AddressSlot {
            hub: self.clone(),
            address,
        })
    }

    /// How many live sockets `address` holds.
    pub fn sockets_from(&self, address: IpAddr) -> usize {
        let addresses = self.addresses.lock().expect("hub lock poisoned");
        addresses.get(&address).copied().unwrap_or(0)
    }

    /// Live sockets on this node, from their handshake until their session ends.
    pub fn open_sockets(&self) -> usize {
        let addresses = self.addresses.lock().expect("hub lock poisoned");
        addresses.values().sum()
    }

    /// Receives every committed event of every conversation (agents' dashboards).
    pub fn subscribe_team(&self) -> broadcast::Receiver<Arc<Published>> {
        self.team.subscribe()
    }

    /// Receives typing and presence signals.
    pub fn subscribe_live(&self) -> broadcast::Receiver<Arc<ServerFrame>> {
        self.live.subscribe()
    }

    /// Drops the channel of a conversation nobody watches any more.
    fn release(&self, id: ConversationId) {
        let mut channels = self.conversations.lock().expect("hub lock poisoned");
        if channels.get(&id).is_some_and(|c| c.receiver_count() == 0) {
            channels.remove(&id);
        }
    }

    /// The conversations with live customer sockets on this node.
    pub fn watched_conversations(&self) -> Vec<ConversationId> {
        let channels = self.conversations.lock().expect("hub lock poisoned");
        channels.keys().copied().collect()
    }

    /// Tells a conversation's customer sockets on this node where they stand in the queue.
    pub fn queue_status(&self, conversation_id: ConversationId, frame: Arc<ServerFrame>) {
        let channels = self.conversations.lock().expect("hub lock poisoned");
        if let Some(sender) = channels.get(&conversation_id) {
            let _ = sender.send(Feed::Queue(frame));
        }
    }

    /// Tells every dashboard on this node (ephemeral: the next change sends it again).
    pub fn signal(&self, frame: ServerFrame) {
        let _ = self.live.send(Arc::new(frame));
    }

    /// How many conversation channels are open.
    pub fn open_channels(&self) -> usize {
        self.conversations.lock().expect("hub lock poisoned").len()
    }

    /// Tells who is typing where: dashboards hear everyone (a conversation's customer at
    /// most once per [`CUSTOMER_TYPING_INTERVAL`]); the customer hears only the agent.
    pub fn typing(&self, conversation_id: ConversationId, from: Typist) {
        if from == Typist::Customer && !self.customer_typing_due(conversation_id, Instant::now()) {
            return;
        }
        let frame = Arc::new(ServerFrame::Typing {
            conversation_id,
            from,
        });
        if matches!(
            frame.as_ref(),
            ServerFrame::Typing {
                from: Typist::Agent { .. },
                ..
            }
        ) {
            let channels = self.conversations.lock().expect("hub lock poisoned");
            if let Some(sender) = channels.get(&conversation_id) {
                let _ = sender.send(Feed::Typing(frame.clone()));
            }
        }
        let _ = self.live.send(frame);
    }

    fn customer_typing_due(&self, id: ConversationId, now: Instant) -> bool {
        let mut last = self.customer_typing.lock().expect("hub lock poisoned");
        if last.len() > TYPING_SWEEP_AT {
            last.retain(|_, at| now.saturating_duration_since(*at) < CUSTOMER_TYPING_INTERVAL);
        }
        match last.get(&id) {
            Some(at) if now.saturating_duration_since(*at) < CUSTOMER_TYPING_INTERVAL => false,
            _ => {
                last.insert(id, now);
                true
            }
        }
    }

    /// Registers a live socket of `agent`; presence ends when the guard is dropped.
    pub fn connect(self: &Arc<Self>, agent: &Agent) -> Connection {
        {
            let mut presence = self.presence.lock().expect("presence lock poisoned");
            let seen = presence.entry(agent.id).or_insert_with(|| Seen {
                name: agent.display_name.to_string(),
                status: agent.status,
                sockets: 0,
                last_seen: Instant::now(),
            });
            seen.sockets += 1;
            seen.name = agent.display_name.to_string();
            seen.status = agent.status;
            seen.last_seen = Instant::now();
        }
        self.announce(agent.id);
        self.report(agent.id);
        Connection {
            hub: self.clone(),
            agent: agent.id,
        }
    }

    fn disconnect(&self, agent: AgentId) {
        {
            let mut presence = self.presence.lock().expect("presence lock poisoned");
            if let Some(seen) = presence.get_mut(&agent) {
                seen.sockets = seen.sockets.saturating_sub(1);
                seen.last_seen = Instant::now();
            }
        }
        self.announce(agent);
        self.report(agent);
    }

    /// True when `agent` is present at `now`.
    pub fn is_present_at(&self, agent: AgentId, now: Instant) -> bool {
        let here = {
            let presence = self.presence.lock().expect("presence lock poisoned");
            presence.get(&agent).is_some_and(|seen| {
                seen.sockets > 0 || now.saturating_duration_since(seen.last_seen) < self.grace
            })
        };
        here || self.remote_present_at(agent, now)
    }

    fn announce(&self, agent: AgentId) {
        let frame = {
            let presence = self.presence.lock().expect("presence lock poisoned");
            let Some(seen) = presence.get(&agent) else {
                return;
            };
            ServerFrame::Presence {
                agent_id: agent,
                name: seen.name.clone(),
                status: seen.status,
                connected: seen.sockets > 0,
            }
        };
        let _ = self.live.send(Arc::new(frame));
    }
}

/// One socket's place in a conversation's channel; dropping it releases the channel when
/// it was the last.
pub struct Subscription {
    receiver: Option<broadcast::Receiver<Feed>>,
    hub: Arc<Hub>,
    id: ConversationId,
}

impl Subscription {
    /// The next item of the feed. A receiver that fell more than the channel's capacity
    /// behind gets `Lagged` and must catch up from the store.
    pub async fn recv(&mut self) -> Result<Feed, broadcast::error::RecvError> {
        match self.receiver.as_mut() {
            Some(receiver) => receiver.recv().await,
            None => Err(broadcast::error::RecvError::Closed),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.receiver.take());
        self.hub.release(self.id);
    }
}

/// One live socket of a network address; dropping it frees the place.
pub struct AddressSlot {
    hub: Arc<Hub>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut addresses = self.hub.addresses.lock().expect("hub lock poisoned");
        if let Some(open) = addresses.get_mut(&self.address) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                addresses.remove(&self.address);
            }
        }
    }
}

/// A live agent socket; dropping it ends that socket's presence.
pub struct Connection {
    hub: Arc<Hub>,
    agent: AgentId,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.hub.disconnect(self.agent);
    }
}

impl Publisher for Hub {
    fn publish(&self, conversation: &Conversation, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let published = Arc::new(Published::new(conversation.clone(), events.to_vec()));
        // No receivers is not an error: nobody is watching.
        let _ = self.team.send(published.clone());
        let mut channels = self.conversations.lock().expect("hub lock poisoned");
        if let Some(sender) = channels.get(&conversation.id) {
            if sender.send(Feed::Committed(published)).is_err() {
                channels.remove(&conversation.id);
            }
        }
    }

    fn presence_changed(&self, agent: &Agent) {
        {
            let mut presence = self.presence.lock().expect("presence lock poisoned");
            let seen = presence.entry(agent.id).or_insert_with(|| Seen {
                name: agent.display_name.to_string(),
                status: agent.status,
                sockets: 0,
                last_seen: Instant::now(),
            });
            seen.name = agent.display_name.to_string();
            seen.status = agent.status;
            seen.last_seen = Instant::now();
        }
        self.announce(agent.id);
    }
}

impl Presence for Hub {
    fn touch(&self, agent: AgentId) {
        self.touch_here(agent);
        self.report(agent);
    }

    fn is_present(&self, agent: AgentId) -> bool {
        self.is_present_at(agent, Instant::now())
    }

    fn connections(&self, agent: AgentId) -> usize {
        let here = {
            let presence = self.presence.lock().expect("presence lock poisoned");
            presence.get(&agent).map_or(0, |seen| seen.sockets)
        };
        let remote = self.remote.lock().expect("presence lock poisoned");
        here + remote.get(&agent).map_or(0, |nodes| {
            nodes.values().map(|(sockets, _, _)| sockets).sum()
        })
    }
}

impl Hub {
    fn touch_here(&self, agent: AgentId) {
        let mut presence = self.presence.lock().expect("presence lock poisoned");
        match presence.get_mut(&agent) {
            Some(seen) => seen.last_seen = Instant::now(),
            None => {
                presence.insert(
                    agent,
                    Seen {
                        name: String::new(),
                        status: Availability::Online,
                        sockets: 0,
                        last_seen: Instant::now(),
                    },
                );
            }
        }
    }
}

/// Values for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) mod tests_support {
    use app::domain::{Conversation, ConversationId, Mode, Timestamp};

    /// A fresh conversation in AI mode.
    pub fn conversation() -> Conversation {
        Conversation {
            id: ConversationId::new(),
            customer_name: "Sari".into(),
            mode: Mode::Ai,
            mode_since: Timestamp(0),
            owner: None,
            waiting: None,
            version: 0,
            last_seq: 1,
            preview: None,
            brief: None,
            brief_for_customer: false,
            reply_due_since: None,
            contact_email: None,
            verified: None,
            locale: Default::default(),
            labels: Vec::new(),
            priority: Default::default(),
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{DisplayName, Email, Role, Timestamp};

    fn agent() -> Agent {
        Agent {
            id: AgentId::new(),
            email: Email::parse("a@b.c").unwrap(),
            display_name: DisplayName::parse("Ana").unwrap(),
            role: Role::Agent,
            status: Availability::Online,
            max_chats: 5,
        }
    }

    fn conversation() -> Conversation {
        super::tests_support::conversation()
    }

    #[test]
    fn a_late_presence_report_from_another_node_changes_nothing() {
        let hub = Hub::new(Duration::from_secs(30));
        let ana = agent();
        // Node B reported 0 sockets (report 1), then 1 socket (report 2); 1 arrives last.
        hub.remote_presence("b", ana.id, 1, 2);
        hub.remote_presence("b", ana.id, 0, 1);
        assert_eq!(hub.connections(ana.id), 1);
        hub.remote_presence("b", ana.id, 0, 3);
        assert_eq!(hub.connections(ana.id), 0);
    }

    #[test]
    fn an_agent_without_a_socket_stops_being_present_after_the_grace_period() {
        let hub = Arc::new(Hub::new(Duration::from_secs(30)));
        let ana = agent();
        let now = Instant::now();
        assert!(!hub.is_present_at(ana.id, now), "never seen");

        hub.touch(ana.id);
        assert!(hub.is_present_at(ana.id, Instant::now()));
        assert!(!hub.is_present_at(ana.id, Instant::now() + Duration::from_secs(31)));

        let socket = hub.connect(&ana);
        assert!(hub.is_present_at(ana.id, Instant::now() + Duration::from_secs(3600)));
        drop(socket);
        assert_eq!(hub.connections(ana.id), 0);
        assert!(!hub.is_present_at(ana.id, Instant::now() + Duration::from_secs(31)));
    }

    #[test]
    fn connecting_announces_presence() {
        let hub = Arc::new(Hub::default());
        let mut live = hub.subscribe_live();
        let ana = agent();
        let _socket = hub.connect(&ana);
        match live.try_recv().unwrap().as_ref() {
            ServerFrame::Presence { connected, .. } => assert!(connected),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn events_reach_subscribers_of_their_conversation_only() {
        let hub = Arc::new(Hub::default());
        let c = conversation();
        let other = conversation();
        let mut mine = hub.subscribe(c.id, 0).unwrap();
        let mut theirs = hub.subscribe(other.id, 0).unwrap();
        let event = Event {
            conversation_id: c.id,
            seq: 2,
            at: Timestamp(0),
            kind: app::domain::EventKind::Started {
                customer_name: "Sari".into(),
            },
        };
        hub.publish(&c, std::slice::from_ref(&event));
        match mine.receiver.as_mut().unwrap().try_recv().unwrap() {
            Feed::Committed(published) => assert_eq!(published.events, vec![event]),
            other => panic!("{other:?}"),
        }
        assert!(theirs.receiver.as_mut().unwrap().try_recv().is_err());
    }

    #[test]
    fn channels_are_created_lazily_and_released_when_unwatched() {
        let hub = Arc::new(Hub::default());
        let c = conversation();
        assert_eq!(hub.open_channels(), 0);
        let first = hub.subscribe(c.id, 0).unwrap();
        let second = hub.subscribe(c.id, 0).unwrap();
        assert_eq!(hub.open_channels(), 1);
        drop(first);
        assert_eq!(hub.open_channels(), 1, "one subscriber is left");
        drop(second);
        assert_eq!(hub.open_channels(), 0);
    }

    #[test]
    fn a_full_conversation_refuses_a_subscription_and_keeps_no_channel_for_it() {
        let hub = Arc::new(Hub::default());
        let c = conversation();
        let held: Vec<_> = (0..3).map(|_| hub.subscribe(c.id, 3).unwrap()).collect();
        assert_eq!(
            hub.subscribe(c.id, 3).err(),
            Some(Refused::ConversationFull)
        );
        drop(held);
        assert_eq!(hub.open_channels(), 0);
    }

    #[test]
    fn an_address_holds_at_most_its_cap_of_sockets_and_gets_places_back() {
        let hub = Arc::new(Hub::default());
        let address: IpAddr = "203.0.113.7".parse().unwrap();
        let slots: Vec<_> = (0..2).map(|_| hub.admit(address, 2).unwrap()).collect();
        assert_eq!(hub.admit(address, 2).err(), Some(Refused::AddressFull));
        assert!(hub.admit("203.0.113.8".parse().unwrap(), 2).is_ok());
        drop(slots);
        assert_eq!(hub.sockets_from(address), 0);
        assert!(hub.admit(address, 2).is_ok());
    }

    #[test]
    fn customers_hear_the_agent_typing_but_dashboards_hear_a_busy_customer_once_a_second() {
        let hub = Arc::new(Hub::default());
        let c = conversation();
        let mut customer = hub.subscribe(c.id, 0).unwrap();
        let mut dashboard = hub.subscribe_live();
        for _ in 0..50 {
            hub.typing(c.id, Typist::Customer);
        }
        hub.typing(c.id, Typist::Agent { name: "Ana".into() });

        let mut heard = Vec::new();
        while let Ok(frame) = dashboard.try_recv() {
            heard.push(frame);
        }
        assert_eq!(heard.len(), 2, "{heard:?}");
        match customer.receiver.as_mut().unwrap().try_recv().unwrap() {
            Feed::Typing(frame) => assert!(matches!(
                frame.as_ref(),
                ServerFrame::Typing {
                    from: Typist::Agent { .. },
                    ..
                }
            )),
            other => panic!("{other:?}"),
        }
        assert!(
            customer.receiver.as_mut().unwrap().try_recv().is_err(),
            "nothing else"
        );
    }
}
