//! Routing: no customer is ever stranded.
//!
//! - [`Floor`] answers whether anyone can answer a customer who starts waiting (business
//!   hours, agents online), so the customer is told the truth.
//! - [`QueueBoard`] (every node) pushes each waiting customer their place in the queue and
//!   the estimate whenever the queue moves, and the queue's length to the dashboards.
//! - [`Router`] (one node at a time, see [`leader`]) runs the timers and the assigner: a
//!   silent owner's conversation goes back to the queue after `--reply-timeout-secs`, an
//!   owner offline for `--owner-grace-secs` loses their conversations to the queue, and with
//!   `--assignment auto` waiting conversations go to the online agent with the most room.
//!
//! Every change goes through the rule book ([`Mode::route`]) and the store's conditional
//! write, so a manual Take Over racing the assigner has exactly one winner.

/// Business hours.
pub mod hours;
/// One router at a time across nodes.
pub mod leader;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::backend::{Presence, Services, Staffed, Staffing, Store, StoreError};
use app::domain::routing::{self, Candidate, Queued};
use app::domain::{
    AgentId, AgentOverview, AgentRef, Availability, ConversationId, EscalationReason, QueueStatus,
    QueueSummary, Timestamp,
};
use app::live::ServerFrame;
use async_trait::async_trait;
use tokio::sync::Notify;

use crate::hub::Hub;
pub use hours::BusinessHours;
use leader::Leadership;

/// How waiting conversations reach agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Assignment {
    /// Agents take conversations over themselves (the product's Take Over).
    Manual,
    /// Baton gives each waiting conversation to the online agent with the most room.
    Auto,
}

/// The router's settings (flags in [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct Settings {
    pub assignment: Assignment,
    /// `None`: no reply timer.
    pub reply_timeout: Option<Duration>,
    pub owner_grace: Duration,
    pub hours: Option<BusinessHours>,
}

/// How far back the estimate looks, and how many waits it reads at most.
const HISTORY: Duration = Duration::from_secs(7 * 24 * 3600);
const HISTORY_WAITS: u32 = 50;
/// How often the router looks at the clock when nothing wakes it.
const TICK: Duration = Duration::from_secs(1);
/// How long the board lets changes gather before it recomputes the queue.
const SETTLE: Duration = Duration::from_millis(15);
/// How often the board recomputes without a change (the estimate's history and business
/// hours move with time).
const REFRESH: Duration = Duration::from_secs(30);
/// How many overdue conversations one tick handles.
const BATCH: u32 = 200;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Whether an agent can be given work now: online by choice, with a live dashboard.
fn ready(overview: &AgentOverview, presence: &dyn Presence) -> bool {
    overview.agent.status == Availability::Online && presence.connections(overview.agent.id) > 0
}

fn candidates(agents: &[AgentOverview], presence: &dyn Presence) -> Vec<Candidate> {
    agents
        .iter()
        .map(|overview| Candidate {
            agent: overview.agent.id,
            ready: ready(overview, presence),
            open: overview.open_conversations,
            max_chats: overview.agent.max_chats,
            last_assigned_at: overview.last_assigned_at,
        })
        .collect()
}

/// Business hours and who is online: the [`Staffing`] port.
pub struct Floor {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
    hours: Option<BusinessHours>,
}

impl Floor {
    pub fn new(
        store: Arc<dyn Store>,
        presence: Arc<dyn Presence>,
        hours: Option<BusinessHours>,
    ) -> Self {
        Self {
            store,
            presence,
            hours,
        }
    }
}

#[async_trait]
impl Staffing for Floor {
    async fn staffed(&self, now: Timestamp) -> Staffed {
        if let Some(hours) = &self.hours {
            let at = jiff::Timestamp::from_millisecond(now.millis()).unwrap_or_default();
            if !hours.is_open(at) {
                return Staffed::Offline {
                    back: Some(hours.back_at(at)),
                };
            }
        }
        // Online by choice and around (a live dashboard, or active within the grace).
        let online = match self.store.agents().await {
            Ok(agents) => agents.iter().any(|overview| {
                overview.agent.status == Availability::Online
                    && self.presence.is_present(overview.agent.id)
            }),
            // Unknown: promise nothing false either way; the queue still routes.
            Err(_) => true,
        };
        if online {
            Staffed::Open
        } else {
            Staffed::Offline { back: None }
        }
    }
}

/// The queue as every node shows it: customers their place, dashboards the length.
pub struct QueueBoard {
    services: Services,
    hub: Arc<Hub>,
    /// What each waiting customer on this node was last told.
    told: Mutex<HashMap<ConversationId, QueueStatus>>,
    summary: Mutex<QueueSummary>,
    changed: Notify,
}

impl QueueBoard {
    pub fn new(services: Services, hub: Arc<Hub>) -> Arc<Self> {
        Arc::new(Self {
            services,
            hub,
            told: Mutex::new(HashMap::new()),
            summary: Mutex::new(QueueSummary::default()),
            changed: Notify::new(),
        })
    }

    /// Where a customer stands now (what their socket is told first).
    pub async fn status_of(&self, id: ConversationId) -> QueueStatus {
        match self.compute().await {
            Ok((statuses, _)) => statuses
                .get(&id)
                .cloned()
                .unwrap_or(QueueStatus::NotWaiting),
            Err(_) => QueueStatus::NotWaiting,
        }
    }

    /// The queue's length and oldest wait, as last computed.
    pub fn summary(&self) -> QueueSummary {
        *self.summary.lock().expect("board lock poisoned")
    }

    /// Something may have moved the queue: recompute soon.
    pub fn nudge(&self) {
        self.changed.notify_one();
    }

    /// Every waiting conversation's status, and the summary.
    async fn compute(
        &self,
    ) -> Result<(HashMap<ConversationId, QueueStatus>, QueueSummary), StoreError> {
        let store = &self.services.store;
        let now = self.services.now();
        let queue = store.queue().await?;
        let summary = routing::summarize(&queue);
        if queue.is_empty() {
            return Ok((HashMap::new(), summary));
        }
        let staffed = self.services.staffing.staffed(now).await;
        let statuses = match staffed {
            Staffed::Offline { back } => queue
                .iter()
                .map(|q| {
                    (
                        q.conversation_id,
                        QueueStatus::Offline { back: back.clone() },
                    )
                })
                .collect(),
            Staffed::Open => {
                let agents = store.agents().await?;
                let slots =
                    routing::free_slots(&candidates(&agents, self.services.presence.as_ref()));
                let since = Timestamp(now.millis() - millis(HISTORY));
                let waits = store.recent_waits(since, HISTORY_WAITS).await?;
                queue
                    .iter()
                    .zip(1u32..)
                    .map(|(q, position)| {
                        let minutes = routing::estimate_minutes(position, slots, &waits);
                        (q.conversation_id, QueueStatus::Queued { position, minutes })
                    })
                    .collect()
            }
        };
        Ok((statuses, summary))
    }

    /// Recomputes the queue and tells every customer on this node whose place changed, and
    /// the dashboards if the length or the oldest wait changed.
    pub async fn refresh(&self) {
        let (statuses, summary) = match self.compute().await {
            Ok(computed) => computed,
            Err(err) => {
                tracing::warn!(%err, "could not read the queue");
                return;
            }
        };
        let here: std::collections::HashSet<ConversationId> =
            self.hub.watched_conversations().into_iter().collect();
        let mut told = self.told.lock().expect("board lock poisoned");
        // Customers who left this node are forgotten: a new socket is told afresh.
        told.retain(|id, _| here.contains(id));
        for id in here {
            let status = statuses
                .get(&id)
                .cloned()
                .unwrap_or(QueueStatus::NotWaiting);
            let before = told.get(&id).cloned().unwrap_or(QueueStatus::NotWaiting);
            if status != before {
                let frame = Arc::new(ServerFrame::Queue {
                    status: status.clone(),
                });
                self.hub.queue_status(id, frame);
            }
            if status == QueueStatus::NotWaiting {
                told.remove(&id);
            } else {
                told.insert(id, status);
            }
        }
        drop(told);
        let mut last = self.summary.lock().expect("board lock poisoned");
        if *last != summary {
            *last = summary;
            self.hub.signal(ServerFrame::QueueSummary { summary });
        }
    }

    /// Recomputes when nudged ([`watch`]), at most once per [`SETTLE`], and every
    /// [`REFRESH`].
    pub async fn run(self: Arc<Self>) {
        loop {
            let _ = tokio::time::timeout(REFRESH, self.changed.notified()).await;
            tokio::time::sleep(SETTLE).await;
            self.refresh().await;
        }
    }
}

/// What one tick of the router did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Routed {
    /// Whether this node held the lead (nothing is done otherwise).
    pub leading: bool,
    pub requeued_no_reply: usize,
    pub requeued_owner_offline: usize,
    pub assigned: usize,
}

/// The timers and the assigner. One node at a time runs them ([`Leadership`]).
pub struct Router {
    services: Services,
    settings: Settings,
    leadership: Leadership,
    /// Owners of open conversations seen without a live socket, and since when.
    absent: Mutex<HashMap<AgentId, Timestamp>>,
    wake: Notify,
    /// One tick at a time on this node.
    ticking: tokio::sync::Mutex<()>,
}

impl Router {
    pub fn new(services: Services, settings: Settings, leadership: Leadership) -> Arc<Self> {
        Arc::new(Self {
            services,
            settings,
            leadership,
            absent: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            ticking: tokio::sync::Mutex::new(()),
        })
    }

    /// The router's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Something happened that may let the assigner act (a conversation started waiting,
    /// an agent came online or freed a slot): tick soon.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Runs the timers and the assigner once, if this node leads.
    pub async fn tick(&self) -> Routed {
        let _one = self.ticking.lock().await;
        if !self.leadership.lead().await {
            self.absent.lock().expect("router lock poisoned").clear();
            return Routed::default();
        }
        let now = self.services.now();
        let mut routed = Routed {
            leading: true,
            ..Routed::default()
        };
        if let Some(timeout) = self.settings.reply_timeout {
            routed.requeued_no_reply = self.reply_timeouts(now, timeout).await;
        }
        routed.requeued_owner_offline = self.rescue(now).await;
        if self.settings.assignment == Assignment::Auto {
            routed.assigned = self.assign(now).await;
        }
        routed
    }

    /// Gives up the lead (at shutdown), so another node takes it at once.
    pub async fn resign(&self) {
        self.leadership.resign().await;
    }

    /// Ticks every [`TICK`], and sooner when nudged.
    pub async fn run(self: Arc<Self>) {
        loop {
            let _ = tokio::time::timeout(TICK, self.wake.notified()).await;
            self.tick().await;
        }
    }

    /// Conversations whose owner has not answered within the timeout go back to the queue.
    async fn reply_timeouts(&self, now: Timestamp, timeout: Duration) -> usize {
        let before = Timestamp(now.millis() - millis(timeout));
        let overdue = match self.services.store.replies_overdue(before, BATCH).await {
            Ok(overdue) => overdue,
            Err(err) => {
                tracing::warn!(%err, "could not read overdue replies");
                return 0;
            }
        };
        let mut requeued = 0;
        for conversation in overdue {
            if let Some(owner) = conversation.mode.owner() {
                if self
                    .requeue(conversation.id, owner, EscalationReason::NoReply)
                    .await
                {
                    requeued += 1;
                }
            }
        }
        requeued
    }

    /// Owners with no live socket for the grace period lose their conversations to the
    /// queue.
    async fn rescue(&self, now: Timestamp) -> usize {
        let agents = match self.services.store.agents().await {
            Ok(agents) => agents,
            Err(err) => {
                tracing::warn!(%err, "could not read the team");
                return 0;
            }
        };
        let grace = millis(self.settings.owner_grace);
        let mut gone = Vec::new();
        {
            let mut absent = self.absent.lock().expect("router lock poisoned");
            let owners: Vec<AgentId> = agents
                .iter()
                .filter(|a| a.open_conversations > 0)
                .map(|a| a.agent.id)
                .collect();
            absent.retain(|agent, _| owners.contains(agent));
            for agent in owners {
                if self.services.presence.connections(agent) > 0 {
                    absent.remove(&agent);
                    continue;
                }
                let since = *absent.entry(agent).or_insert(now);
                if now.millis() - since.millis() >= grace {
                    gone.push(agent);
                }
            }
        }
        let mut requeued = 0;
        for agent in gone {
            let owned = match self.services.store.owned_by(agent).await {
                Ok(owned) => owned,
                Err(err) => {
                    tracing::warn!(%err, "could not read an offline owner's conversations");
                    continue;
                }
            };
            for conversation in owned {
                if self
                    .requeue(conversation.id, agent, EscalationReason::OwnerOffline)
                    .await
                {
                    requeued += 1;
                }
            }
            self.absent
                .lock()
                .expect("router lock poisoned")
                .remove(&agent);
        }
        requeued
    }

    /// Puts a conversation back in the queue if `owner` still has it; true when it did.
    pub async fn requeue(
        &self,
        id: ConversationId,
        owner: AgentId,
        reason: EscalationReason,
    ) -> bool {
        app::backend::routing::requeue(&self.services, id, owner, reason)
            .await
            .is_some()
    }

    /// Gives waiting conversations, oldest first, to ready agents with the most room.
    async fn assign(&self, now: Timestamp) -> usize {
        let store = &self.services.store;
        let (queue, agents) = match (store.queue().await, store.agents().await) {
            (Ok(queue), Ok(agents)) => (queue, agents),
            (Err(err), _) | (_, Err(err)) => {
                tracing::warn!(%err, "could not read the queue or the team");
                return 0;
            }
        };
        let names: HashMap<AgentId, AgentRef> = agents
            .iter()
            .map(|a| (a.agent.id, a.agent.reference()))
            .collect();
        let mut candidates = candidates(&agents, self.services.presence.as_ref());
        let mut assigned = 0;
        for Queued {
            conversation_id, ..
        } in queue
        {
            let Some(agent) = routing::pick_agent(&candidates) else {
                break;
            };
            let to = names[&agent].clone();
            let done = app::backend::routing::assign(&self.services, conversation_id, &to).await;
            if done.is_some() {
                assigned += 1;
                if let Some(c) = candidates.iter_mut().find(|c| c.agent == agent) {
                    c.open += 1;
                    c.last_assigned_at = Some(now);
                }
            }
        }
        assigned
    }
}

/// Wakes the board and the router on what concerns them: a committed change other than a
/// message, a presence change, or a lag (anything may have been missed).
pub async fn watch(hub: Arc<Hub>, board: Arc<QueueBoard>, router: Arc<Router>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut team = hub.subscribe_team();
    let mut live = hub.subscribe_live();
    let nudge = || {
        board.nudge();
        router.nudge();
    };
    loop {
        tokio::select! {
            published = team.recv() => match published {
                Ok(published) if published.events.iter().any(|e| e.message().is_none()) => nudge(),
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => nudge(),
                Err(RecvError::Closed) => return,
            },
            signal = live.recv() => match signal {
                Ok(frame) if matches!(frame.as_ref(), ServerFrame::Presence { .. }) => nudge(),
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => nudge(),
                Err(RecvError::Closed) => return,
            },
        }
    }
}
