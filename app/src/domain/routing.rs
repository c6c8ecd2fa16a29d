//! The queue: who waits for a person, in what order, how long the wait will be, and which
//! agent the assigner gives the next conversation to. Pure functions; the server's router
//! runs them on the store's data (see `server/src/routing`).
//!
//! - **Order** — conversations waiting for a human form one queue, the longest-waiting first
//!   ([`Conversation::list_order`](super::Conversation::list_order) puts them on top of the
//!   dashboard list in the same order).
//! - **The estimate** — [`estimate_minutes`]: the customer at `position` is served after
//!   ⌈position ÷ free slots⌉ rounds of takeovers, each as long as the median of the recent
//!   waits; with fewer than [`MIN_HISTORY`] recent waits there is no estimate.
//! - **Assignment** — [`pick_agent`]: the online agent with the most free slots, ties to
//!   whoever has waited longest since their last assignment.

use serde::{Deserialize, Serialize};

use super::{AgentId, ConversationId, Locale, Reopening, Timestamp};
use crate::i18n::td_string;

/// Fewer finished waits than this in the recent history: the customer is told no estimate.
pub const MIN_HISTORY: usize = 5;

/// Where a waiting customer stands, as their page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueueStatus {
    /// Not waiting for a person.
    NotWaiting,
    /// Waiting at `position` (1 = next); `minutes` is the estimate, `None` without enough
    /// history to make one.
    Queued { position: u32, minutes: Option<u32> },
    /// Nobody can answer now: no agent is online, or the team is closed. `back` says when
    /// the team opens again, when business hours are set.
    Offline {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        back: Option<Reopening>,
    },
}

impl QueueStatus {
    /// The line the customer reads in `locale`, e.g. "You are number 3 in line · about 4 min".
    pub fn line(&self, locale: Locale) -> Option<String> {
        Some(match self {
            QueueStatus::NotWaiting => return None,
            QueueStatus::Queued {
                position,
                minutes: Some(minutes),
            } => td_string!(locale, queue.position_eta, position, minutes).to_string(),
            QueueStatus::Queued {
                position,
                minutes: None,
            } => td_string!(locale, queue.position, position).to_string(),
            QueueStatus::Offline { back: Some(back) } => {
                td_string!(locale, queue.offline_back, back = back.phrase(locale)).to_string()
            }
            QueueStatus::Offline { back: None } => td_string!(locale, queue.offline).to_owned(),
        })
    }
}

/// The queue as the dashboard header shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueueSummary {
    /// Conversations waiting for a person.
    pub length: u32,
    /// Since when the longest-waiting one waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_since: Option<Timestamp>,
}

/// One waiting conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    pub conversation_id: ConversationId,
    pub since: Timestamp,
}

/// The summary of a queue given oldest first.
pub fn summarize(queue: &[Queued]) -> QueueSummary {
    QueueSummary {
        length: queue.len() as u32,
        oldest_since: queue.iter().map(|q| q.since).min(),
    }
}

/// The estimated wait in whole minutes (at least 1) of the customer at `position` (1 =
/// next), with `free_slots` open places among online agents and `recent_waits_ms` the
/// durations of recent waits that ended with a person taking over:
///
/// `minutes = ⌈ ⌈position ÷ max(free_slots, 1)⌉ × median(recent waits) ÷ 60 s ⌉`
///
/// `None` with fewer than [`MIN_HISTORY`] recent waits: too little history to promise a
/// number.
pub fn estimate_minutes(position: u32, free_slots: u32, recent_waits_ms: &[i64]) -> Option<u32> {
    if recent_waits_ms.len() < MIN_HISTORY || position == 0 {
        return None;
    }
    let mut waits: Vec<i64> = recent_waits_ms.iter().map(|w| (*w).max(0)).collect();
    waits.sort_unstable();
    let mid = waits.len() / 2;
    let median = if waits.len().is_multiple_of(2) {
        (waits[mid - 1] + waits[mid]) / 2
    } else {
        waits[mid]
    };
    let rounds = i64::from(position.div_ceil(free_slots.max(1)));
    let millis = rounds.saturating_mul(median);
    Some(((millis + 59_999) / 60_000).clamp(1, i64::from(u32::MAX)) as u32)
}

/// An agent as the assigner sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    /// Online by their own choice and with a live dashboard.
    pub ready: bool,
    /// Conversations they own now.
    pub open: u32,
    pub max_chats: u32,
    /// When they were last given a conversation (taken over, assigned or transferred to).
    pub last_assigned_at: Option<Timestamp>,
}

impl Candidate {
    /// Places left before the agent is at capacity.
    pub fn free(&self) -> u32 {
        self.max_chats.saturating_sub(self.open)
    }
}

/// The agent the next waiting conversation goes to: among ready agents with a free slot,
/// the one with the most free slots; ties to whoever has waited longest since their last
/// assignment (never assigned first), then by id so every node picks the same.
pub fn pick_agent(candidates: &[Candidate]) -> Option<AgentId> {
    candidates
        .iter()
        .filter(|c| c.ready && c.free() > 0)
        .max_by(|a, b| {
            a.free()
                .cmp(&b.free())
                .then_with(|| b.last_assigned_at.cmp(&a.last_assigned_at))
                .then_with(|| b.agent.cmp(&a.agent))
        })
        .map(|c| c.agent)
}

/// Free slots among ready agents: how many waiting customers could be taken now.
pub fn free_slots(candidates: &[Candidate]) -> u32 {
    candidates
        .iter()
        .filter(|c| c.ready)
        .map(Candidate::free)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(n: u8) -> AgentId {
        AgentId::parse(&format!("00000000-0000-7000-8000-0000000000{n:02}")).unwrap()
    }

    fn candidate(n: u8, open: u32, last: Option<i64>) -> Candidate {
        Candidate {
            agent: agent(n),
            ready: true,
            open,
            max_chats: 5,
            last_assigned_at: last.map(Timestamp),
        }
    }

    #[test]
    fn without_enough_history_there_is_no_estimate() {
        assert_eq!(estimate_minutes(3, 1, &[]), None);
        assert_eq!(estimate_minutes(3, 1, &[60_000; 4]), None);
        assert!(estimate_minutes(3, 1, &[60_000; 5]).is_some());
    }

    #[test]
    fn the_estimate_is_rounds_of_the_median_wait() {
        // Median 80 s; one free slot; third in line: 3 rounds = 240 s = 4 min.
        let waits = [20_000, 80_000, 90_000, 60_000, 600_000];
        assert_eq!(estimate_minutes(3, 1, &waits), Some(4));
        // Three free slots: one round.
        assert_eq!(estimate_minutes(3, 3, &waits), Some(2));
        // No free slot counts as one.
        assert_eq!(estimate_minutes(1, 0, &waits), Some(2));
        // Even median of six; never under a minute.
        assert_eq!(estimate_minutes(1, 1, &[1_000; 6]), Some(1));
    }

    #[test]
    fn the_customer_reads_position_and_estimate() {
        let line = |status: QueueStatus| status.line(Locale::en).unwrap();
        assert_eq!(
            line(QueueStatus::Queued {
                position: 3,
                minutes: Some(4)
            }),
            "You are number 3 in line · about 4 min"
        );
        assert!(line(QueueStatus::Queued {
            position: 1,
            minutes: None
        })
        .contains("not enough recent chats"));
        let monday = Reopening {
            in_days: 2,
            weekday: 0,
            hour: 8,
            minute: 0,
            zone: "WIB".into(),
        };
        assert_eq!(
            line(QueueStatus::Offline {
                back: Some(monday.clone())
            }),
            "Our team is offline right now. We're back Monday at 08:00 WIB."
        );
        assert_eq!(
            QueueStatus::Queued {
                position: 3,
                minutes: Some(4)
            }
            .line(Locale::id)
            .unwrap(),
            "Anda nomor 3 dalam antrean · sekitar 4 menit"
        );
        assert_eq!(QueueStatus::NotWaiting.line(Locale::en), None);
    }

    #[test]
    fn the_agent_with_most_room_gets_the_next_conversation() {
        let picked = pick_agent(&[
            candidate(1, 3, None),
            candidate(2, 1, Some(50)),
            candidate(3, 2, None),
        ]);
        assert_eq!(picked, Some(agent(2)));
    }

    #[test]
    fn ties_go_to_who_waited_longest_since_their_last_assignment() {
        let picked = pick_agent(&[
            candidate(1, 1, Some(90)),
            candidate(2, 1, Some(10)),
            candidate(3, 1, Some(50)),
        ]);
        assert_eq!(picked, Some(agent(2)));
        // Never assigned beats assigned long ago.
        let picked = pick_agent(&[candidate(1, 1, Some(10)), candidate(2, 1, None)]);
        assert_eq!(picked, Some(agent(2)));
    }

    #[test]
    fn agents_who_are_not_ready_or_full_get_nothing() {
        let away = Candidate {
            ready: false,
            ..candidate(1, 0, None)
        };
        let full = candidate(2, 5, None);
        assert_eq!(pick_agent(&[away, full]), None);
        assert_eq!(free_slots(&[away, full, candidate(3, 2, None)]), 3);
    }

    #[test]
    fn the_summary_names_length_and_oldest_wait() {
        let queued = |n: i64| Queued {
            conversation_id: ConversationId::new(),
            since: Timestamp(n),
        };
        let summary = summarize(&[queued(10), queued(30)]);
        assert_eq!(summary.length, 2);
        assert_eq!(summary.oldest_since, Some(Timestamp(10)));
        assert_eq!(summarize(&[]), QueueSummary::default());
    }
}
