//! Analytics: what the event log says about the hand-off, for a date range. Every figure is
//! defined here, once, as a fold over each conversation's log in order; the store only
//! selects the logs (the same rows on SQLite and PostgreSQL, so the same numbers).
//!
//! - **Waits**: a wait for a person starts with `waiting_for_human` (the customer asked,
//!   frustration, low confidence, the AI unavailable) or `requeued` (no reply, owner offline
//!   or away), and ends when a person gets the conversation (`taken_over`, `assigned`:
//!   *served*) or it is closed (*abandoned*). A wait still open whose customer has been silent
//!   for [`SILENT_AFTER_MS`] counts as abandoned too (the customer left).
//! - **Time to human**: from the start of a wait to the person who ends it; bot time before the
//!   wait is not counted.
//! - **First human reply**: from the moment an agent gets the conversation (takeover,
//!   assignment, forced takeover, transfer to them) to their first message in it.
//! - **AI containment**: conversations that never waited for a person and never had one, of
//!   all started. A customer who waited and left is abandoned, never contained.
//! - **Handover held**: a handover back to the AI not followed by a new `waiting_for_human`
//!   within [`HELD_AFTER_MS`]; decided once that time has passed.
//!
//! Each figure belongs to the range (and the day) of the moment it starts: the conversation's
//! start, the wait's start, the agent getting the conversation, the handover.
//!
//! Each log is read once into its facts (waits, agents' turns, transfers, handovers, the
//! close); the report counts them over the range, and the export
//! ([`ConversationSummary`], one CSV line per conversation started in the range) reads the
//! same facts of each conversation, so a time in the export is the time the report counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AgentId, AgentRef, Author, ConversationId, EscalationReason, Event, EventKind, Timestamp,
};

/// A wait whose customer has been silent this long counts as abandoned.
pub const SILENT_AFTER_MS: i64 = 30 * 60 * 1_000;
/// A handover holds when no request for a person follows within this.
pub const HELD_AFTER_MS: i64 = 30 * 60 * 1_000;
/// The longest range a report covers.
pub const MAX_RANGE_DAYS: i64 = 366;
const DAY_MS: i64 = 86_400_000;

/// The longest comment a customer may leave with a rating.
pub const MAX_COMMENT_CHARS: usize = 500;

/// A customer's rating (1–5) of a conversation an agent closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rating {
    pub conversation_id: ConversationId,
    /// The seq of the close it rates: one rating per segment of the conversation.
    pub segment_seq: u64,
    /// Who last owned the conversation before that close (none: the AI alone).
    pub agent: Option<AgentRef>,
    pub rating: u8,
    pub comment: Option<String>,
    pub at: Timestamp,
}

/// The segment a rating would rate now: the seq of the last `closed` event (or, with
/// `after_handover`, of the last `handed_over` since which no person has joined) and who last
/// owned the conversation before it (none: the AI alone, or nobody since the last handover).
pub fn rated_segment(log: &[Event], after_handover: bool) -> Option<(u64, Option<AgentRef>)> {
    let mut owner: Option<AgentRef> = None;
    let mut segment = None;
    for event in log {
        let joined = match &event.kind {
            EventKind::TakenOver { agent } | EventKind::Assigned { agent } => Some(agent),
            EventKind::ForcedTakeover { by, .. } => Some(by),
            EventKind::Transferred { to, .. } => Some(to),
            _ => None,
        };
        if let Some(agent) = joined {
            // A person has it again: a handover before is no longer the customer's to rate.
            owner = Some(agent.clone());
            segment = None;
            continue;
        }
        match &event.kind {
            EventKind::Closed { .. } => segment = Some((event.seq, owner.take())),
            EventKind::HandedOver { by, .. } => {
                let by = owner.take().or_else(|| Some(by.clone()));
                if after_handover {
                    segment = Some((event.seq, by));
                }
            }
            EventKind::Requeued { .. } => owner = None,
            EventKind::Reopened { .. } => segment = None,
            _ => {}
        }
    }
    segment
}

/// Ratings by score: `distribution[0]` counts the 1s, … `distribution[4]` the 5s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Csat {
    pub distribution: Vec<u32>,
}

impl Default for Csat {
    fn default() -> Self {
        Self {
            distribution: vec![0; 5],
        }
    }
}

impl Csat {
    fn add(&mut self, rating: u8) {
        if let Some(count) = self
            .distribution
            .get_mut(usize::from(rating.clamp(1, 5)) - 1)
        {
            *count += 1;
        }
    }

    /// How many ratings.
    pub fn count(&self) -> u32 {
        self.distribution.iter().sum()
    }

    /// The average score (none without ratings).
    pub fn average(&self) -> Option<f64> {
        let sum: u32 = (1..)
            .zip(&self.distribution)
            .map(|(score, count)| score * count)
            .sum();
        (self.count() > 0).then(|| f64::from(sum) / f64::from(self.count()))
    }
}

/// The range a report covers: `[from, to)`, with days cut at local midnight of
/// `utc_offset_minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Timestamp,
    pub to: Timestamp,
    pub utc_offset_minutes: i32,
}

impl Range {
    /// Checks the bounds: `from` before `to`, at most [`MAX_RANGE_DAYS`], an offset a time zone
    /// can have.
    pub fn new(from: Timestamp, to: Timestamp, utc_offset_minutes: i32) -> Result<Self, String> {
        // 1970-01-01 to 9999-12-31: every date a picker offers, and no arithmetic overflows.
        const LAST: i64 = 253_402_300_799_999;
        if !(0..=LAST).contains(&from.0) || !(0..=LAST).contains(&to.0) {
            return Err("The range must lie between 1970 and 9999".into());
        }
        if to <= from {
            return Err("The range must end after it starts".into());
        }
        if to.0 - from.0 > MAX_RANGE_DAYS * DAY_MS {
            return Err(format!("A report covers at most {MAX_RANGE_DAYS} days"));
        }
        if !(-14 * 60..=14 * 60).contains(&utc_offset_minutes) {
            return Err("The UTC offset must be between -14:00 and +14:00".into());
        }
        Ok(Self {
            from,
            to,
            utc_offset_minutes,
        })
    }

    fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }

    /// The local day of `at`: days since 1970-01-01 in the range's time zone.
    fn day(&self, at: Timestamp) -> i64 {
        local_day(at, self.utc_offset_minutes)
    }

    /// The range just before this one, as long.
    pub fn previous(&self) -> Self {
        let length = self.to.0 - self.from.0;
        Self {
            from: Timestamp(self.from.0 - length),
            to: self.from,
            utc_offset_minutes: self.utc_offset_minutes,
        }
    }
}

/// Median and 90th percentile of durations (nearest rank), in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Percentiles {
    pub count: u32,
    pub p50_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

impl Percentiles {
    fn of(mut durations: Vec<i64>) -> Self {
        durations.sort_unstable();
        let rank = |p: usize| {
            (!durations.is_empty())
                .then(|| durations[(durations.len() * p).div_ceil(100).max(1) - 1])
        };
        Self {
            count: u32::try_from(durations.len()).unwrap_or(u32::MAX),
            p50_ms: rank(50),
            p90_ms: rank(90),
        }
    }
}

/// The headline figures of a range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    /// Conversations started.
    pub started: u32,
    /// Of them: never waited for a person, never had one (AI containment).
    pub ai_only: u32,
    /// Of them: a person had it at some point.
    pub human: u32,
    /// Waits for a person that started.
    pub waits: u32,
    /// Of them: a person got the conversation.
    pub served: u32,
    /// Of them: closed while waiting, or the customer went silent while waiting.
    pub abandoned: u32,
    pub time_to_human: Percentiles,
    pub first_reply: Percentiles,
    /// Handovers back to the AI whose outcome is decided (30 minutes passed).
    pub handovers: u32,
    /// Of them: no new request for a person within 30 minutes.
    pub handovers_held: u32,
    /// Transfers between agents.
    pub transfers: u32,
    /// Ratings given in the range.
    pub csat: Csat,
}

impl Totals {
    /// AI containment: the AI-only share of the conversations started.
    pub fn containment(&self) -> Option<f64> {
        ratio(self.ai_only, self.started)
    }

    /// The abandoned share of the waits.
    pub fn abandonment(&self) -> Option<f64> {
        ratio(self.abandoned, self.waits)
    }

    /// The held share of the decided handovers (bounce-back is the rest).
    pub fn handover_held(&self) -> Option<f64> {
        ratio(self.handovers_held, self.handovers)
    }

    /// Transfers per conversation started.
    pub fn transfers_per_conversation(&self) -> Option<f64> {
        (self.started > 0).then(|| f64::from(self.transfers) / f64::from(self.started))
    }
}

/// `part / whole`, none for an empty whole.
pub fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// One local day of the range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Day {
    /// `YYYY-MM-DD` in the report's time zone.
    pub date: String,
    pub started: u32,
    pub ai_only: u32,
    pub human: u32,
    /// Started and waited for a person who never came.
    pub unserved: u32,
    pub time_to_human: Percentiles,
}

/// One agent's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentFigures {
    pub agent: AgentRef,
    /// Times the agent got a conversation (takeover, assignment, forced takeover, transfer).
    pub handled: u32,
    pub first_reply: Percentiles,
    pub handovers: u32,
    pub handovers_held: u32,
    pub transfers_out: u32,
    /// Ratings of the conversations they last owned.
    pub csat: Csat,
}

/// How many waits started for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonCount {
    pub reason: EscalationReason,
    pub count: u32,
}

/// A range's analytics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    pub from: Timestamp,
    pub to: Timestamp,
    pub totals: Totals,
    /// Every local day of the range, in order (days without conversations included).
    pub days: Vec<Day>,
    /// Agents with any figure in the range, by name.
    pub agents: Vec<AgentFigures>,
    /// Every reason, in [`EscalationReason::ALL`]'s order.
    pub reasons: Vec<ReasonCount>,
}

#[derive(Default)]
struct DayFold {
    started: u32,
    ai_only: u32,
    human: u32,
    unserved: u32,
    waits: Vec<i64>,
}

struct AgentFold {
    agent: AgentRef,
    handled: u32,
    replies: Vec<i64>,
    handovers: u32,
    handovers_held: u32,
    transfers_out: u32,
    csat: Csat,
}

impl AgentFold {
    fn new(agent: &AgentRef) -> Self {
        Self {
            agent: agent.clone(),
            handled: 0,
            replies: Vec::new(),
            handovers: 0,
            handovers_held: 0,
            transfers_out: 0,
            csat: Csat::default(),
        }
    }
}

/// A wait for a person, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Wait {
    since: Timestamp,
    reason: EscalationReason,
    end: WaitEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WaitEnd {
    /// A person got the conversation at this moment (`taken_over`, `assigned`).
    Served(Timestamp),
    /// Closed while waiting.
    Closed,
    /// Still waiting when the log ends.
    Open,
}

/// An agent's turn with the conversation: from getting it until someone else (or nobody) has
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Turn {
    agent: AgentRef,
    since: Timestamp,
    /// Their first message in this turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_reply: Option<Timestamp>,
}

/// A handover back to the AI, and the first request for a person after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Handover {
    by: AgentRef,
    at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    asked_again: Option<Timestamp>,
}

/// One conversation's log read once, in order: the facts every figure is made of, the
/// report's ([`Analysis`]) and the export's ([`ConversationSummary`]) alike. Nothing here
/// depends on a range or on the time now; what does is decided where the facts are read.
///
/// The store keeps each conversation's facts (as JSON, folded again whenever its log grows),
/// so a report reads one row per conversation instead of every event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// When it started (none: the log was cut before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started: Option<Timestamp>,
    /// The customer's name as last given: at the start, or vouched for by the site.
    #[serde(default)]
    customer: String,
    /// Every wait for a person, in order; only the last can be open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    waits: Vec<Wait>,
    /// Every agent's turn, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    turns: Vec<Turn>,
    /// A person took it over or was assigned it (a transfer presupposes one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    had_human: bool,
    /// Who passed it on to another agent, and when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    transfers: Vec<(AgentRef, Timestamp)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    handovers: Vec<Handover>,
    /// When it was last closed, unless it was reopened since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed: Option<Timestamp>,
    /// The customer's last message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_customer: Option<Timestamp>,
}

impl Facts {
    /// The first and the last moment a figure of this conversation starts at (its start, a
    /// wait, an agent getting it, a transfer, a handover): a range that holds neither and
    /// nothing between has nothing of it to count. None for a log without any.
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        let moments = self
            .started
            .into_iter()
            .chain(self.waits.iter().map(|wait| wait.since))
            .chain(self.turns.iter().map(|turn| turn.since))
            .chain(self.transfers.iter().map(|(_, at)| *at))
            .chain(self.handovers.iter().map(|handover| handover.at));
        moments.fold(None, |span, at| match span {
            None => Some((at, at)),
            Some((first, last)) => Some((first.min(at), last.max(at))),
        })
    }

    /// Reads one conversation's log, in seq order (it may be cut: a log that does not start
    /// with `started` holds only what it holds).
    pub fn of(log: &[Event]) -> Self {
        let mut facts = Facts::default();
        // The wait still open and the turn going on, as indices into `waits` and `turns`.
        let mut waiting: Option<usize> = None;
        let mut turn: Option<usize> = None;
        for event in log {
            let at = event.at;
            match &event.kind {
                EventKind::Started { customer_name } => {
                    facts.started = Some(at);
                    facts.customer.clone_from(customer_name);
                }
                EventKind::CustomerVerified { customer_name, .. } => {
                    facts.customer.clone_from(customer_name);
                }
                EventKind::WaitingForHuman { reason, .. } => {
                    // The handovers not asked after yet are the last ones.
                    for handover in facts
                        .handovers
                        .iter_mut()
                        .rev()
                        .take_while(|handover| handover.asked_again.is_none())
                    {
                        handover.asked_again = Some(at);
                    }
                    facts.wait(&mut waiting, *reason, at);
                }
                EventKind::Requeued { reason, .. } => {
                    turn = None;
                    facts.wait(&mut waiting, *reason, at);
                }
                EventKind::TakenOver { agent } | EventKind::Assigned { agent } => {
                    if let Some(wait) = waiting.take() {
                        facts.waits[wait].end = WaitEnd::Served(at);
                    }
                    facts.had_human = true;
                    turn = Some(facts.got(agent, at));
                }
                EventKind::ForcedTakeover { by, .. } => {
                    facts.had_human = true;
                    turn = Some(facts.got(by, at));
                }
                EventKind::Transferred { from, to, .. } => {
                    facts.transfers.push((from.clone(), at));
                    turn = Some(facts.got(to, at));
                }
                EventKind::Message { message } => match &message.author {
                    Author::Customer => facts.last_customer = Some(at),
                    Author::Agent { agent } => {
                        // Only the agent whose turn it is replies; another's message is not theirs.
                        if let Some(current) = turn
                            .map(|i| &mut facts.turns[i])
                            .filter(|current| current.agent.id == agent.id)
                        {
                            current.first_reply.get_or_insert(at);
                        }
                    }
                    Author::Ai | Author::System => {}
                },
                EventKind::HandedOver { by, .. } => {
                    turn = None;
                    facts.handovers.push(Handover {
                        by: by.clone(),
                        at,
                        asked_again: None,
                    });
                }
                EventKind::Closed { .. } => {
                    turn = None;
                    if let Some(wait) = waiting.take() {
                        facts.waits[wait].end = WaitEnd::Closed;
                    }
                    facts.closed = Some(at);
                }
                EventKind::Reopened { .. } => facts.closed = None,
                EventKind::ContactLeft { .. }
                | EventKind::LanguageChanged { .. }
                | EventKind::NoteAdded { .. }
                | EventKind::LabelsChanged { .. }
                | EventKind::PriorityChanged { .. } => {}
            }
        }
        facts
    }

    /// A request for a person: a new wait, unless one is open already.
    fn wait(&mut self, waiting: &mut Option<usize>, reason: EscalationReason, at: Timestamp) {
        if waiting.is_none() {
            *waiting = Some(self.waits.len());
            self.waits.push(Wait {
                since: at,
                reason,
                end: WaitEnd::Open,
            });
        }
    }

    /// `agent` got the conversation at `at`: their turn starts.
    fn got(&mut self, agent: &AgentRef, at: Timestamp) -> usize {
        self.turns.push(Turn {
            agent: agent.clone(),
            since: at,
            first_reply: None,
        });
        self.turns.len() - 1
    }

    /// The first wait a person ended: from its start to them.
    fn time_to_human_ms(&self) -> Option<i64> {
        self.waits.iter().find_map(|wait| match wait.end {
            WaitEnd::Served(at) => Some(at.0 - wait.since.0),
            WaitEnd::Closed | WaitEnd::Open => None,
        })
    }

    /// The first reply of any turn: from the agent getting it to their first message.
    fn first_reply_ms(&self) -> Option<i64> {
        self.turns
            .iter()
            .find_map(|turn| turn.first_reply.map(|at| at.0 - turn.since.0))
    }
}

/// Folds conversation logs into a [`Report`].
pub struct Analysis {
    range: Range,
    now: Timestamp,
    totals: Totals,
    waits: Vec<i64>,
    replies: Vec<i64>,
    days: BTreeMap<i64, DayFold>,
    agents: BTreeMap<AgentId, AgentFold>,
    reasons: BTreeMap<&'static str, u32>,
}

impl Analysis {
    /// An empty analysis of `range`, as of `now` (for what is still undecided).
    pub fn new(range: Range, now: Timestamp) -> Self {
        Self {
            range,
            now,
            totals: Totals::default(),
            waits: Vec::new(),
            replies: Vec::new(),
            days: BTreeMap::new(),
            agents: BTreeMap::new(),
            reasons: BTreeMap::new(),
        }
    }

    fn agent(&mut self, agent: &AgentRef) -> &mut AgentFold {
        self.agents
            .entry(agent.id)
            .or_insert_with(|| AgentFold::new(agent))
    }

    /// Adds one conversation's facts ([`Facts::of`] its log).
    pub fn add(&mut self, facts: &Facts) {
        let range = self.range;
        for wait in facts.waits.iter().filter(|wait| range.contains(wait.since)) {
            self.totals.waits += 1;
            *self.reasons.entry(wait.reason.as_str()).or_default() += 1;
            match wait.end {
                WaitEnd::Served(at) => {
                    let waited_ms = at.0 - wait.since.0;
                    self.totals.served += 1;
                    self.waits.push(waited_ms);
                    self.days
                        .entry(range.day(wait.since))
                        .or_default()
                        .waits
                        .push(waited_ms);
                }
                WaitEnd::Closed => self.totals.abandoned += 1,
                // Still waiting, but the customer went silent: they left.
                WaitEnd::Open => {
                    let last_heard = facts
                        .last_customer
                        .map_or(wait.since, |heard| heard.max(wait.since));
                    if self.now.0 - last_heard.0 >= SILENT_AFTER_MS {
                        self.totals.abandoned += 1;
                    }
                }
            }
        }
        for turn in facts.turns.iter().filter(|turn| range.contains(turn.since)) {
            let replied_ms = turn.first_reply.map(|at| at.0 - turn.since.0);
            let agent = self.agent(&turn.agent);
            agent.handled += 1;
            agent.replies.extend(replied_ms);
            self.replies.extend(replied_ms);
        }
        for (from, _) in facts.transfers.iter().filter(|(_, at)| range.contains(*at)) {
            self.totals.transfers += 1;
            self.agent(from).transfers_out += 1;
        }
        // A request for a person within 30 minutes of a handover: it bounced. None by then
        // (and 30 minutes passed): it held.
        for handover in facts.handovers.iter().filter(|h| range.contains(h.at)) {
            match handover.asked_again {
                Some(asked) if asked.0 - handover.at.0 <= HELD_AFTER_MS => {
                    self.handover_decided(&handover.by, false);
                }
                _ if self.now.0 - handover.at.0 > HELD_AFTER_MS => {
                    self.handover_decided(&handover.by, true);
                }
                _ => {}
            }
        }
        if let Some(at) = facts.started.filter(|at| range.contains(*at)) {
            self.totals.started += 1;
            let day = self.days.entry(range.day(at)).or_default();
            day.started += 1;
            if facts.had_human {
                self.totals.human += 1;
                day.human += 1;
            } else if !facts.waits.is_empty() {
                day.unserved += 1;
            } else {
                self.totals.ai_only += 1;
                day.ai_only += 1;
            }
        }
    }

    /// Adds a customer's rating given in the range.
    pub fn rate(&mut self, rating: &Rating) {
        if !self.range.contains(rating.at) {
            return;
        }
        self.totals.csat.add(rating.rating);
        if let Some(agent) = &rating.agent {
            self.agent(agent).csat.add(rating.rating);
        }
    }

    fn handover_decided(&mut self, by: &AgentRef, held: bool) {
        self.totals.handovers += 1;
        self.totals.handovers_held += u32::from(held);
        let agent = self.agent(by);
        agent.handovers += 1;
        agent.handovers_held += u32::from(held);
    }

    /// The report: every day of the range, agents by name, every reason.
    pub fn report(mut self) -> Report {
        self.totals.time_to_human = Percentiles::of(std::mem::take(&mut self.waits));
        self.totals.first_reply = Percentiles::of(std::mem::take(&mut self.replies));
        let range = self.range;
        let last_day = range.day(Timestamp(range.to.0 - 1));
        let days = (range.day(range.from)..=last_day)
            .map(|day| {
                let fold = self.days.remove(&day).unwrap_or_default();
                Day {
                    date: date_of(day),
                    started: fold.started,
                    ai_only: fold.ai_only,
                    human: fold.human,
                    unserved: fold.unserved,
                    time_to_human: Percentiles::of(fold.waits),
                }
            })
            .collect();
        let mut agents: Vec<AgentFigures> = self
            .agents
            .into_values()
            .map(|fold| AgentFigures {
                agent: fold.agent,
                handled: fold.handled,
                first_reply: Percentiles::of(fold.replies),
                handovers: fold.handovers,
                handovers_held: fold.handovers_held,
                transfers_out: fold.transfers_out,
                csat: fold.csat,
            })
            .filter(|figures| {
                figures.handled + figures.handovers + figures.transfers_out > 0
                    || figures.first_reply.count > 0
                    || figures.csat.count() > 0
            })
            .collect();
        agents.sort_by(|a, b| a.agent.name.cmp(&b.agent.name));
        let reasons = EscalationReason::ALL
            .iter()
            .map(|reason| ReasonCount {
                reason: *reason,
                count: self.reasons.get(reason.as_str()).copied().unwrap_or(0),
            })
            .collect();
        Report {
            from: range.from,
            to: range.to,
            totals: self.totals,
            days,
            agents,
            reasons,
        }
    }
}

/// One conversation of the export: who the customer was, when it started and closed, who
/// had it, how long the customer waited for a person and for their first word, how many times
/// it was passed on, and how it was rated. Every time is read from the log by the same walk
/// as the report's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    pub id: ConversationId,
    /// The customer's name as last given (the site's verified name, if it vouched for one).
    pub customer: String,
    pub started: Timestamp,
    /// When it was last closed (none: open).
    pub closed: Option<Timestamp>,
    /// The agents who had it, each once, in the order they first got it (none: the AI
    /// alone).
    pub agents: Vec<AgentRef>,
    /// The first wait for a person that one ended (time to human).
    pub time_to_human_ms: Option<i64>,
    /// The first reply of an agent who had it, from the moment they got it.
    pub first_reply_ms: Option<i64>,
    pub transfers: u32,
    /// The customer's ratings, in the order of what they rate (one per close, or handover).
    pub ratings: Vec<u8>,
    /// The latest comment left with a rating.
    pub comment: Option<String>,
}

/// The export's columns, in order.
pub const SUMMARY_COLUMNS: [&str; 10] = [
    "conversation_id",
    "customer",
    "started_at",
    "closed_at",
    "handled_by",
    "time_to_human_s",
    "first_human_reply_s",
    "transfers",
    "csat",
    "csat_comment",
];

/// What `handled_by` says of a conversation no person had.
pub const AI_ONLY: &str = "AI only";

impl ConversationSummary {
    /// The row's cells, in [`SUMMARY_COLUMNS`]' order: times in RFC 3339 (UTC), durations in
    /// whole seconds, several agents or ratings joined by `; `, empty where there is nothing
    /// to say.
    pub fn cells(&self) -> [String; 10] {
        let seconds = |ms: Option<i64>| {
            ms.map_or(String::new(), |ms| (ms + 500).div_euclid(1_000).to_string())
        };
        let handled_by = if self.agents.is_empty() {
            AI_ONLY.to_owned()
        } else {
            let names: Vec<&str> = self.agents.iter().map(|a| a.name.as_str()).collect();
            names.join("; ")
        };
        let ratings: Vec<String> = self.ratings.iter().map(u8::to_string).collect();
        [
            self.id.to_string(),
            self.customer.clone(),
            rfc3339(self.started),
            self.closed.map_or(String::new(), rfc3339),
            handled_by,
            seconds(self.time_to_human_ms),
            seconds(self.first_reply_ms),
            self.transfers.to_string(),
            ratings.join("; "),
            self.comment.clone().unwrap_or_default(),
        ]
    }
}

/// The conversations started in `range`, one summary each, oldest first: from `conversations`,
/// the facts of each (as the report reads them; conversations started elsewhere are skipped),
/// and `ratings`, theirs (others are ignored).
pub fn summaries(
    range: &Range,
    conversations: &[(ConversationId, Facts)],
    ratings: &[Rating],
) -> Vec<ConversationSummary> {
    let mut rated: BTreeMap<ConversationId, Vec<&Rating>> = BTreeMap::new();
    for rating in ratings {
        rated
            .entry(rating.conversation_id)
            .or_default()
            .push(rating);
    }
    let mut summaries: Vec<ConversationSummary> = conversations
        .iter()
        .filter_map(|(id, facts)| {
            let id = *id;
            let started = facts.started.filter(|at| range.contains(*at))?;
            let mut ratings = rated.remove(&id).unwrap_or_default();
            ratings.sort_by_key(|rating| (rating.segment_seq, rating.at));
            let mut agents: Vec<AgentRef> = Vec::new();
            for turn in &facts.turns {
                if agents.iter().all(|agent| agent.id != turn.agent.id) {
                    agents.push(turn.agent.clone());
                }
            }
            Some(ConversationSummary {
                id,
                started,
                closed: facts.closed,
                agents,
                time_to_human_ms: facts.time_to_human_ms(),
                first_reply_ms: facts.first_reply_ms(),
                transfers: u32::try_from(facts.transfers.len()).unwrap_or(u32::MAX),
                ratings: ratings.iter().map(|rating| rating.rating).collect(),
                comment: ratings
                    .iter()
                    .rev()
                    .find_map(|rating| rating.comment.clone()),
                customer: facts.customer.clone(),
            })
        })
        .collect();
    summaries.sort_by_key(|summary| (summary.started, summary.id));
    summaries
}

/// The export as CSV: [`SUMMARY_COLUMNS`], then a line per conversation.
pub fn summaries_csv(summaries: &[ConversationSummary]) -> String {
    let mut text = crate::csv::row(SUMMARY_COLUMNS);
    for summary in summaries {
        text.push_str(&crate::csv::row(summary.cells()));
    }
    text
}

/// The export's file name: `baton-conversations-<first day>-<last day>.csv`, the range's
/// local days.
pub fn summaries_file_name(range: &Range) -> String {
    format!(
        "baton-conversations-{}-{}.csv",
        date_of(range.day(range.from)),
        date_of(range.day(Timestamp(range.to.0 - 1)))
    )
}

/// The day counted from 1970-01-01 of a `YYYY-MM-DD` date (what [`date_of`] writes); none
/// for anything else.
pub fn day_of(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9_999).contains(&year) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    // 2026-02-30 and the like are not dates.
    (date_of(days) == format!("{year:04}-{month:02}-{day:02}")).then_some(days)
}

/// The local day (days since 1970-01-01) of `at` for `utc_offset_minutes`.
pub fn local_day(at: Timestamp, utc_offset_minutes: i32) -> i64 {
    (at.0 + i64::from(utc_offset_minutes) * 60_000).div_euclid(DAY_MS)
}

/// The moment local day `day` starts for `utc_offset_minutes`.
pub fn day_start(day: i64, utc_offset_minutes: i32) -> Timestamp {
    Timestamp(day * DAY_MS - i64::from(utc_offset_minutes) * 60_000)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (the proleptic Gregorian calendar).
pub fn date_of(days: i64) -> String {
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `2026-11-02T09:15:07Z`: `at` in RFC 3339, UTC, to the second.
pub fn rfc3339(at: Timestamp) -> String {
    let seconds = at.0.rem_euclid(DAY_MS) / 1_000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of(at.0.div_euclid(DAY_MS)),
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ConversationId, Message, MessageBody, MessageId};

    const MIN: i64 = 60_000;
    /// 2026-11-02 00:00 UTC, a Monday.
    const DAY0: i64 = 1_793_577_600_000;

    fn agent(name: &str) -> AgentRef {
        AgentRef {
            // The same name, the same id: a number made of its letters.
            id: AgentId::parse(&format!(
                "00000000-0000-4000-8000-{:012}",
                name.bytes().fold(0u64, |n, b| n * 131 + u64::from(b)) % 1_000_000_000_000
            ))
            .unwrap(),
            name: name.into(),
        }
    }

    fn said(author: Author) -> EventKind {
        EventKind::Message {
            message: Message {
                id: MessageId::new(),
                author,
                body: MessageBody::parse("…").unwrap(),
                client_id: None,
                attachment: None,
            },
        }
    }

    fn customer() -> EventKind {
        said(Author::Customer)
    }

    fn reply(name: &str) -> EventKind {
        said(Author::Agent { agent: agent(name) })
    }

    fn waiting(reason: EscalationReason) -> EventKind {
        EventKind::WaitingForHuman {
            reason,
            detail: None,
            summary: None,
        }
    }

    fn started() -> EventKind {
        EventKind::Started {
            customer_name: "Sari".into(),
        }
    }

    /// A log starting `start` minutes after DAY0, from `(minutes after that, kind)` pairs.
    fn log(start: i64, entries: Vec<(i64, EventKind)>) -> Vec<Event> {
        let id = ConversationId::new();
        entries
            .into_iter()
            .enumerate()
            .map(|(i, (minute, kind))| Event {
                conversation_id: id,
                seq: i as u64 + 1,
                at: Timestamp(DAY0 + (start + minute) * MIN),
                kind,
            })
            .collect()
    }

    /// A log's facts as the store keeps them: folded, written as JSON and read back.
    fn stored(log: &[Event]) -> Facts {
        let json = serde_json::to_string(&Facts::of(log)).unwrap();
        let facts: Facts = serde_json::from_str(&json).unwrap();
        assert_eq!(
            facts,
            Facts::of(log),
            "the facts read back are the facts written"
        );
        facts
    }

    /// Each conversation's stored facts, from their events ordered by conversation and seq.
    fn conversations(events: &[Event]) -> Vec<(ConversationId, Facts)> {
        events
            .chunk_by(|a, b| a.conversation_id == b.conversation_id)
            .map(|log| (log[0].conversation_id, stored(log)))
            .collect()
    }

    /// The report of `logs` for the first day, as of a day later.
    fn report(logs: &[Vec<Event>]) -> Report {
        report_as_of(logs, DAY0 + 2 * 24 * 60 * MIN)
    }

    fn report_as_of(logs: &[Vec<Event>], now: i64) -> Report {
        let range = Range::new(Timestamp(DAY0), Timestamp(DAY0 + 24 * 60 * MIN), 0).unwrap();
        let mut analysis = Analysis::new(range, Timestamp(now));
        for conversation in logs {
            analysis.add(&stored(conversation));
        }
        analysis.report()
    }

    fn figures<'a>(report: &'a Report, name: &str) -> &'a AgentFigures {
        report.agents.iter().find(|a| a.agent.name == name).unwrap()
    }

    #[test]
    fn a_conversation_the_ai_handled_alone_is_contained() {
        let ai = log(
            0,
            vec![(0, started()), (1, customer()), (1, said(Author::Ai))],
        );
        let report = report(&[ai]);
        assert_eq!(report.totals.started, 1);
        assert_eq!(report.totals.ai_only, 1);
        assert_eq!(report.totals.containment(), Some(1.0));
        assert_eq!(report.totals.waits, 0);
        assert_eq!(report.days.len(), 1);
        assert_eq!(report.days[0].date, "2026-11-02");
        assert_eq!(report.days[0].ai_only, 1);
        assert!(report.agents.is_empty());
    }

    #[test]
    fn a_conversation_escalated_three_times_counts_each_wait_and_each_handover() {
        use EscalationReason::*;
        let ana = agent("Ana");
        let bounced = log(
            0,
            vec![
                (0, started()),
                (2, customer()),
                // The bot's two minutes before the wait are not time to human.
                (2, waiting(CustomerAsked)),
                (7, EventKind::TakenOver { agent: ana.clone() }),
                (9, reply("Ana")),
                (
                    10,
                    EventKind::HandedOver {
                        by: ana.clone(),
                        brief: None,
                        for_customer: false,
                    },
                ),
                // Ten minutes after the handover: it bounced.
                (20, waiting(Frustration)),
                (23, EventKind::Assigned { agent: ana.clone() }),
                (24, reply("Ana")),
                (
                    30,
                    EventKind::HandedOver {
                        by: ana.clone(),
                        brief: None,
                        for_customer: false,
                    },
                ),
                // Seventy minutes later: that handover held.
                (100, waiting(LowConfidence)),
                (101, EventKind::TakenOver { agent: ana.clone() }),
                (104, reply("Ana")),
                (105, EventKind::Closed { by: ana.clone() }),
            ],
        );
        let report = report(&[bounced]);
        let totals = &report.totals;
        assert_eq!((totals.started, totals.human, totals.ai_only), (1, 1, 0));
        assert_eq!((totals.waits, totals.served, totals.abandoned), (3, 3, 0));
        // Waits of 5, 3 and 1 minutes: median 3, p90 5 (nearest rank).
        assert_eq!(
            totals.time_to_human,
            Percentiles {
                count: 3,
                p50_ms: Some(3 * MIN),
                p90_ms: Some(5 * MIN)
            }
        );
        // Replies 2, 1 and 3 minutes after getting it.
        assert_eq!(
            totals.first_reply,
            Percentiles {
                count: 3,
                p50_ms: Some(2 * MIN),
                p90_ms: Some(3 * MIN)
            }
        );
        assert_eq!((totals.handovers, totals.handovers_held), (2, 1));
        assert_eq!(totals.handover_held(), Some(0.5));
        let reasons: Vec<u32> = report.reasons.iter().map(|r| r.count).collect();
        assert_eq!(reasons, [1, 1, 1, 0, 0, 0, 0]);
        let ana = figures(&report, "Ana");
        assert_eq!((ana.handled, ana.handovers, ana.handovers_held), (3, 2, 1));
    }

    #[test]
    fn a_transfer_chain_counts_each_transfer_and_the_last_owners_first_reply() {
        let (ana, budi, citra) = (agent("Ana"), agent("Budi"), agent("Citra"));
        let chain = log(
            0,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::CustomerAsked)),
                (4, EventKind::TakenOver { agent: ana.clone() }),
                (5, reply("Ana")),
                (
                    6,
                    EventKind::Transferred {
                        from: ana.clone(),
                        to: budi.clone(),
                        note: None,
                    },
                ),
                (
                    8,
                    EventKind::Transferred {
                        from: budi.clone(),
                        to: citra.clone(),
                        note: None,
                    },
                ),
                // Budi wrote nothing while he had it; Ana's later message is not Citra's.
                (9, reply("Ana")),
                (12, reply("Citra")),
            ],
        );
        let report = report(&[chain, log(60, vec![(0, started())])]);
        assert_eq!(report.totals.transfers, 2);
        assert_eq!(report.totals.transfers_per_conversation(), Some(1.0));
        assert_eq!(report.totals.first_reply.count, 2);
        let (ana, budi, citra) = (
            figures(&report, "Ana"),
            figures(&report, "Budi"),
            figures(&report, "Citra"),
        );
        assert_eq!(
            (ana.handled, ana.transfers_out, ana.first_reply.p50_ms),
            (1, 1, Some(MIN))
        );
        assert_eq!(
            (budi.handled, budi.transfers_out, budi.first_reply.count),
            (1, 1, 0)
        );
        assert_eq!((citra.handled, citra.transfers_out), (1, 0));
        assert_eq!(citra.first_reply.p50_ms, Some(4 * MIN));
    }

    #[test]
    fn a_customer_who_leaves_while_waiting_is_abandoned_never_contained() {
        let ana = agent("Ana");
        let closed = log(
            0,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::AiUnavailable)),
                (20, EventKind::Closed { by: ana.clone() }),
            ],
        );
        // Waiting since minute 1, silent since minute 3: gone by the report (a day later).
        let silent = log(
            10,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::CustomerAsked)),
                (3, customer()),
            ],
        );
        let now = DAY0 + 23 * 60 * MIN;
        // Still writing ten minutes ago: still waiting, not abandoned.
        let writing = log(
            22 * 60,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::CustomerAsked)),
                (50, customer()),
            ],
        );
        let report = report_as_of(&[closed, silent, writing], now);
        let totals = &report.totals;
        assert_eq!((totals.started, totals.ai_only, totals.human), (3, 0, 0));
        assert_eq!((totals.waits, totals.served, totals.abandoned), (3, 0, 2));
        assert_eq!(totals.containment(), Some(0.0));
        assert_eq!(report.days[0].unserved, 3);
        assert_eq!(totals.time_to_human.count, 0);
        assert_eq!(totals.time_to_human.p50_ms, None);
    }

    #[test]
    fn a_handover_is_decided_only_once_thirty_minutes_have_passed() {
        let ana = agent("Ana");
        let recent = log(
            0,
            vec![
                (0, started()),
                (1, EventKind::TakenOver { agent: ana.clone() }),
                (
                    2,
                    EventKind::HandedOver {
                        by: ana.clone(),
                        brief: None,
                        for_customer: false,
                    },
                ),
            ],
        );
        let too_soon = report_as_of(std::slice::from_ref(&recent), DAY0 + 20 * MIN);
        assert_eq!(too_soon.totals.handovers, 0);
        assert_eq!(too_soon.totals.handover_held(), None);
        let later = report_as_of(&[recent], DAY0 + 40 * MIN);
        assert_eq!(
            (later.totals.handovers, later.totals.handovers_held),
            (1, 1)
        );
    }

    #[test]
    fn figures_belong_to_the_range_and_local_day_they_start_in() {
        // Started the evening before the range (UTC), taken over inside it.
        let ana = agent("Ana");
        let before = log(
            -30,
            vec![
                (0, started()),
                (5, waiting(EscalationReason::CustomerAsked)),
                (40, EventKind::TakenOver { agent: ana.clone() }),
            ],
        );
        let report = report(std::slice::from_ref(&before));
        assert_eq!(report.totals.started, 0, "started before the range");
        assert_eq!(report.totals.waits, 0, "waiting since before the range");
        assert_eq!(figures(&report, "Ana").handled, 1, "taken over inside it");

        // In Jakarta (UTC+7) the range's days start at 17:00 UTC the day before.
        let range = Range::new(
            Timestamp(DAY0 - 7 * 60 * MIN),
            Timestamp(DAY0 + 17 * 60 * MIN + 24 * 60 * MIN),
            7 * 60,
        )
        .unwrap();
        let mut analysis = Analysis::new(range, Timestamp(DAY0 + 3 * 24 * 60 * MIN));
        analysis.add(&stored(&before));
        analysis.add(&stored(&log(18 * 60, vec![(0, started())])));
        let report = analysis.report();
        let dates: Vec<&str> = report.days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-11-02", "2026-11-03"]);
        assert_eq!((report.days[0].started, report.days[0].human), (1, 1));
        assert_eq!((report.days[1].started, report.days[1].ai_only), (1, 1));
        assert_eq!(report.days[0].time_to_human.p50_ms, Some(35 * MIN));
    }

    #[test]
    fn a_rating_goes_to_the_agent_who_last_owned_the_closed_segment() {
        let (ana, budi) = (agent("Ana"), agent("Budi"));
        let chain = log(
            0,
            vec![
                (0, started()),
                (1, EventKind::TakenOver { agent: ana.clone() }),
                (
                    2,
                    EventKind::Transferred {
                        from: ana.clone(),
                        to: budi.clone(),
                        note: None,
                    },
                ),
                // Ana, a supervisor, closes it: the rating is Budi's, who owned it.
                (3, EventKind::Closed { by: ana.clone() }),
            ],
        );
        assert_eq!(rated_segment(&chain, false), Some((4, Some(budi.clone()))));
        let handed_back = log(
            0,
            vec![
                (0, started()),
                (1, EventKind::TakenOver { agent: ana.clone() }),
                (
                    2,
                    EventKind::HandedOver {
                        by: ana.clone(),
                        brief: None,
                        for_customer: false,
                    },
                ),
                (3, EventKind::Closed { by: ana.clone() }),
            ],
        );
        assert_eq!(
            rated_segment(&handed_back, false),
            Some((4, None)),
            "the AI had it"
        );
        // With ratings after handovers too: the handover is rated (Ana's) until the close,
        // which then is the AI's.
        assert_eq!(
            rated_segment(&handed_back[..3], true),
            Some((3, Some(ana.clone())))
        );
        assert_eq!(rated_segment(&handed_back[..3], false), None);
        assert_eq!(rated_segment(&handed_back, true), Some((4, None)));
        let mut rejoined = handed_back[..3].to_vec();
        rejoined.push(Event {
            seq: 4,
            kind: EventKind::Assigned {
                agent: budi.clone(),
            },
            ..handed_back[0].clone()
        });
        assert_eq!(
            rated_segment(&rejoined, true),
            None,
            "a person has it again"
        );
        let mut reopened = chain.clone();
        reopened.push(Event {
            seq: 5,
            kind: EventKind::Reopened { by: ana.clone() },
            ..chain[0].clone()
        });
        assert_eq!(
            rated_segment(&reopened, true),
            None,
            "open again: nothing to rate"
        );

        let rating = |score: u8, agent: Option<&AgentRef>, minute: i64| Rating {
            conversation_id: chain[0].conversation_id,
            segment_seq: 4,
            agent: agent.cloned(),
            rating: score,
            comment: None,
            at: Timestamp(DAY0 + minute * MIN),
        };
        let range = Range::new(Timestamp(DAY0), Timestamp(DAY0 + 24 * 60 * MIN), 0).unwrap();
        let mut analysis = Analysis::new(range, Timestamp(DAY0 + 2 * 24 * 60 * MIN));
        for r in [
            rating(5, Some(&budi), 10),
            rating(4, Some(&budi), 20),
            rating(1, None, 30),
            rating(3, Some(&budi), 25 * 60), // the next day: outside the range
        ] {
            analysis.rate(&r);
        }
        let report = analysis.report();
        assert_eq!(report.totals.csat.distribution, [1, 0, 0, 1, 1]);
        assert_eq!(report.totals.csat.count(), 3);
        assert_eq!(report.totals.csat.average(), Some(10.0 / 3.0));
        let budi = figures(&report, "Budi");
        assert_eq!(budi.csat.average(), Some(4.5));
        assert_eq!(Csat::default().average(), None);
    }

    fn rating_of(log: &[Event], segment_seq: u64, score: u8, comment: Option<&str>) -> Rating {
        Rating {
            conversation_id: log[0].conversation_id,
            segment_seq,
            agent: None,
            rating: score,
            comment: comment.map(str::to_owned),
            at: log[segment_seq as usize - 1].at,
        }
    }

    #[test]
    fn a_conversations_span_runs_from_its_first_to_its_last_counted_moment() {
        let ana = agent("Ana");
        let conversation = log(
            0,
            vec![
                (0, started()),
                (5, waiting(EscalationReason::CustomerAsked)),
                (9, EventKind::TakenOver { agent: ana.clone() }),
                (10, reply("Ana")),
                (12, EventKind::Closed { by: ana.clone() }),
                // Neither a message nor a close starts a figure: they do not stretch the span.
                (50, customer()),
            ],
        );
        let at = |minute: i64| Timestamp(DAY0 + minute * MIN);
        assert_eq!(stored(&conversation).span(), Some((at(0), at(9))));
        let handed_back = log(
            -60,
            vec![
                (0, started()),
                (1, EventKind::TakenOver { agent: ana.clone() }),
                (
                    70,
                    EventKind::HandedOver {
                        by: ana,
                        brief: None,
                        for_customer: false,
                    },
                ),
            ],
        );
        assert_eq!(stored(&handed_back).span(), Some((at(-60), at(10))));
        assert_eq!(Facts::default().span(), None);
    }

    #[test]
    fn the_export_has_a_line_per_conversation_started_in_the_range_with_its_own_times() {
        let (ana, budi) = (agent("Ana"), agent("Budi"));
        let alone = log(
            10,
            vec![(0, started()), (1, customer()), (1, said(Author::Ai))],
        );
        // Waited three minutes for Ana, who wrote a minute later and passed it to Budi, who
        // closed it; rated, reopened by the customer's return, closed and rated again. The
        // site vouched for the customer's name on the way.
        let helped = log(
            60,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::CustomerAsked)),
                (
                    2,
                    EventKind::CustomerVerified {
                        customer_name: "Sari Wulandari".into(),
                        customer: crate::domain::VerifiedCustomer {
                            id: "c-1".into(),
                            email: None,
                        },
                    },
                ),
                (4, EventKind::TakenOver { agent: ana.clone() }),
                (5, reply("Ana")),
                (
                    6,
                    EventKind::Transferred {
                        from: ana.clone(),
                        to: budi.clone(),
                        note: None,
                    },
                ),
                (8, reply("Budi")),
                (9, EventKind::Closed { by: budi.clone() }),
                (30, EventKind::Reopened { by: budi.clone() }),
                (31, EventKind::Closed { by: budi.clone() }),
            ],
        );
        // Started the evening before the range: not in this export.
        let before = log(-30, vec![(0, started()), (50, customer())]);
        // Waited, nobody came, closed: no person had it.
        let left = log(
            30,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::AiUnavailable)),
                (20, EventKind::Closed { by: ana.clone() }),
            ],
        );
        let events: Vec<Event> = [&alone, &helped, &before, &left]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let ratings = [
            rating_of(&helped, 10, 5, None),
            rating_of(&helped, 8, 4, Some("Quick, and kind.")),
            rating_of(&before, 2, 1, Some("Not this one")),
        ];
        let range = Range::new(Timestamp(DAY0), Timestamp(DAY0 + 24 * 60 * MIN), 0).unwrap();
        let rows = summaries(&range, &conversations(&events), &ratings);

        let ids: Vec<ConversationId> = rows.iter().map(|row| row.id).collect();
        assert_eq!(
            ids,
            [
                alone[0].conversation_id,
                left[0].conversation_id,
                helped[0].conversation_id
            ],
            "oldest first, the one started before the range left out"
        );
        assert_eq!(
            rows[0],
            ConversationSummary {
                id: alone[0].conversation_id,
                customer: "Sari".into(),
                started: Timestamp(DAY0 + 10 * MIN),
                closed: None,
                agents: vec![],
                time_to_human_ms: None,
                first_reply_ms: None,
                transfers: 0,
                ratings: vec![],
                comment: None,
            }
        );
        assert!(
            rows[1].agents.is_empty(),
            "waited, nobody came: the AI alone"
        );
        assert_eq!(rows[1].closed, Some(Timestamp(DAY0 + 50 * MIN)));
        assert_eq!(rows[1].time_to_human_ms, None);
        let helped_row = &rows[2];
        assert_eq!(helped_row.customer, "Sari Wulandari");
        assert_eq!(helped_row.agents, [ana.clone(), budi.clone()]);
        assert_eq!(helped_row.time_to_human_ms, Some(3 * MIN));
        assert_eq!(helped_row.first_reply_ms, Some(MIN));
        assert_eq!(helped_row.transfers, 1);
        assert_eq!(helped_row.closed, Some(Timestamp(DAY0 + 91 * MIN)));
        assert_eq!(helped_row.ratings, [4, 5], "in the order of the closes");
        assert_eq!(helped_row.comment.as_deref(), Some("Quick, and kind."));

        // The report counts the same times from the same facts.
        let report = report(std::slice::from_ref(&helped));
        assert_eq!(report.totals.time_to_human.p50_ms, Some(3 * MIN));
        assert_eq!(report.totals.first_reply.p50_ms, Some(MIN));

        let text = summaries_csv(&rows);
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(
            lines[0],
            "conversation_id,customer,started_at,closed_at,handled_by,time_to_human_s,\
             first_human_reply_s,transfers,csat,csat_comment"
        );
        assert_eq!(
            lines[1],
            format!(
                "{},Sari,2026-11-02T00:10:00Z,,AI only,,,0,,",
                alone[0].conversation_id
            )
        );
        assert_eq!(
            lines[3],
            format!(
                "{},Sari Wulandari,2026-11-02T01:00:00Z,2026-11-02T01:31:00Z,Ana; Budi,180,60,1,\
                 4; 5,\"Quick, and kind.\"",
                helped[0].conversation_id
            )
        );
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn an_agent_who_had_it_twice_is_named_once_and_the_first_served_wait_is_its_time() {
        let (ana, budi) = (agent("Ana"), agent("Budi"));
        let handed = |by: &AgentRef| EventKind::HandedOver {
            by: by.clone(),
            brief: None,
            for_customer: false,
        };
        let twice = log(
            0,
            vec![
                (0, started()),
                (1, waiting(EscalationReason::CustomerAsked)),
                (3, EventKind::TakenOver { agent: ana.clone() }),
                (4, handed(&ana)),
                (10, waiting(EscalationReason::Frustration)),
                (
                    11,
                    EventKind::Assigned {
                        agent: budi.clone(),
                    },
                ),
                // Ana never wrote; Budi did, two minutes after he got it.
                (13, reply("Budi")),
                (14, handed(&budi)),
                (20, waiting(EscalationReason::CustomerAsked)),
                (21, EventKind::TakenOver { agent: ana.clone() }),
            ],
        );
        let range = Range::new(Timestamp(DAY0), Timestamp(DAY0 + 24 * 60 * MIN), 0).unwrap();
        let rows = summaries(&range, &conversations(&twice), &[]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].agents, [ana, budi]);
        assert_eq!(rows[0].time_to_human_ms, Some(2 * MIN));
        assert_eq!(rows[0].first_reply_ms, Some(2 * MIN), "Ana never wrote");
        assert_eq!(rows[0].closed, None);
        assert_eq!(rows[0].cells()[4], "Ana; Budi");
        assert!(summaries(&range, &[], &[]).is_empty());
    }

    #[test]
    fn an_export_line_never_runs_a_formula_and_rounds_to_the_second() {
        let summary = ConversationSummary {
            id: ConversationId::new(),
            customer: "=HYPERLINK(\"http://x\")".into(),
            started: Timestamp(DAY0 + 1_499),
            closed: None,
            agents: vec![agent("@Ana")],
            time_to_human_ms: Some(1_499),
            first_reply_ms: Some(1_500),
            transfers: 0,
            ratings: vec![2],
            comment: Some("-1 for the wait\nsorry".into()),
        };
        let line = crate::csv::row(summary.cells());
        assert_eq!(
            line,
            format!(
                "{},\"'=HYPERLINK(\"\"http://x\"\")\",2026-11-02T00:00:01Z,,'@Ana,1,2,0,2,\
                 \"'-1 for the wait\nsorry\"\r\n",
                summary.id
            )
        );
    }

    #[test]
    fn times_are_rfc_3339_in_utc_and_the_file_is_named_by_the_local_days() {
        assert_eq!(rfc3339(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(Timestamp(DAY0 + 9 * 60 * MIN + 15 * MIN + 7_999)),
            "2026-11-02T09:15:07Z"
        );
        assert_eq!(rfc3339(Timestamp(-1)), "1969-12-31T23:59:59Z");
        // A week in Jakarta (UTC+7): its days start at 17:00 UTC the day before.
        let week = Range::new(
            day_start(DAY0 / DAY_MS, 420),
            day_start(DAY0 / DAY_MS + 7, 420),
            420,
        )
        .unwrap();
        assert_eq!(
            summaries_file_name(&week),
            "baton-conversations-2026-11-02-2026-11-08.csv"
        );
    }

    #[test]
    fn ranges_are_checked_and_days_are_calendar_dates() {
        let t = Timestamp;
        assert!(Range::new(t(10), t(10), 0).is_err());
        assert!(Range::new(t(0), t(367 * DAY_MS), 0).is_err());
        assert!(Range::new(t(0), t(DAY_MS), 15 * 60).is_err());
        assert!(Range::new(t(i64::MIN), t(i64::MAX), 0).is_err());
        assert!(Range::new(t(-DAY_MS), t(0), 0).is_err());
        let week = Range::new(t(7 * DAY_MS), t(14 * DAY_MS), 0).unwrap();
        assert_eq!(week.previous(), Range::new(t(0), t(7 * DAY_MS), 0).unwrap());
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(-1), "1969-12-31");
        assert_eq!(date_of(DAY0 / DAY_MS), "2026-11-02");
        assert_eq!(date_of(11_016), "2000-02-29");
        for day in [-1, 0, 11_016, 20_759, 2_932_896] {
            assert_eq!(day_of(&date_of(day)), Some(day));
        }
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "2026-1",
            "soon",
            "2026-01-01x",
        ] {
            assert_eq!(day_of(bad), None, "{bad}");
        }
        assert_eq!(local_day(day_start(20_759, 420), 420), 20_759);
        assert_eq!(day_start(20_759, 420).0, 20_759 * DAY_MS - 7 * 3_600_000);
        assert_eq!(
            Percentiles::of(vec![5, 1, 4, 2, 3, 9, 8, 7, 6, 10]),
            Percentiles {
                count: 10,
                p50_ms: Some(5),
                p90_ms: Some(9)
            }
        );
        assert_eq!(Percentiles::of(vec![7]).p90_ms, Some(7));
    }
}
