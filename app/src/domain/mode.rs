//! The rule book of the hand-off: who answers a conversation, who may change that, and who
//! may write into it. Pure functions, the same in the browser (which enables its controls
//! with them) and on the server (which enforces them).
//!
//! Every rule of the hand-off is here or linked from here:
//! - **Changes of mode** — [`Mode::apply`]: take over only from the AI (or, for supervisors
//!   and admins, force it from another agent, with a reason); hand over, transfer and close
//!   only by the owner; an AI-handled conversation may be closed by any agent; a transfer
//!   goes only to another agent who is online and has room; only a closed conversation
//!   reopens, and it goes back to the AI.
//! - **Routing** — [`Mode::route`]: the assigner gives only an AI-mode conversation, only to
//!   an agent who is online and has room (the same checks as a transfer); a conversation goes
//!   back to the queue only from the owner the router saw (a stale decision is refused).
//! - **Who may write** — [`Mode::may_write`]: the customer and Baton's own notices while the
//!   conversation is open, the AI only in AI mode, an agent only in a conversation they own.
//!   The store checks it atomically with the append ([`Mode::may_append`]), where a reply
//!   decided at an earlier version (the AI's) is also refused once the mode has changed, so a
//!   reply computed while an agent took over is discarded.
//! - **Races** — the store writes a change of mode only if the conversation is still at the
//!   `version` the change was decided on; the loser decides again and gets a refusal naming
//!   the winner.
//! - **Refusals** — [`Refusal`] is the one table of refusals: each has a stable machine
//!   name ([`Refusal::kind`]), an HTTP status ([`Refusal::status`]) and one sentence
//!   ([`Refusal::message`]). The API's errors and the dashboard's texts both come from it.
//! - **What the customer is told** — the product's sentences at each hand-off are
//!   [`Notice`](super::Notice); what the customer may see of the log is
//!   [`Event::customer_view`](super::Event::customer_view).

use serde::{Deserialize, Serialize};

use super::{AgentId, Author, Availability, EscalationReason, Locale, Role};

/// Who answers a conversation right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mode {
    /// The AI assistant answers ("AI Mode").
    Ai,
    /// One human agent owns the conversation; the AI is silent.
    Human { agent: AgentId },
    /// Finished; nobody answers until an agent reopens it.
    Closed,
}

impl Mode {
    /// The stored name of the mode, without its owner.
    pub fn tag(self) -> &'static str {
        match self {
            Mode::Ai => "ai",
            Mode::Human { .. } => "human",
            Mode::Closed => "closed",
        }
    }

    /// The owning agent, when a human handles the conversation.
    pub fn owner(self) -> Option<AgentId> {
        match self {
            Mode::Human { agent } => Some(agent),
            Mode::Ai | Mode::Closed => None,
        }
    }

    /// Rebuilds a mode from its stored tag and owner.
    pub fn from_parts(tag: &str, owner: Option<AgentId>) -> Option<Self> {
        match (tag, owner) {
            ("ai", None) => Some(Mode::Ai),
            ("human", Some(agent)) => Some(Mode::Human { agent }),
            ("closed", None) => Some(Mode::Closed),
            _ => None,
        }
    }

    /// Decides a command. The one rule book: the server enforces it and the dashboard
    /// enables its buttons with it.
    pub fn apply(self, command: &Command, actor: &Actor) -> Result<Transition, Refusal> {
        let me = actor.agent;
        let change = match (self, command) {
            (_, Command::ForceTakeOver) if !actor.role.can_force_takeover() => {
                return Err(Refusal::NotSupervisor)
            }
            (Mode::Closed, Command::Reopen) => ModeChange::Reopened { by: me },
            (Mode::Ai | Mode::Human { .. }, Command::Reopen) => return Err(Refusal::NotClosed),
            (Mode::Closed, _) => return Err(Refusal::Closed),

            (Mode::Ai, Command::TakeOver | Command::ForceTakeOver) => {
                ModeChange::TakenOver { agent: me }
            }
            (Mode::Human { agent }, Command::ForceTakeOver) if agent == me => {
                return Err(Refusal::AlreadyYours)
            }
            (Mode::Human { agent }, Command::ForceTakeOver) => ModeChange::ForcedTakeover {
                from: agent,
                to: me,
            },
            (Mode::Human { agent }, Command::TakeOver) if agent == me => {
                return Err(Refusal::AlreadyYours)
            }
            (Mode::Human { agent }, Command::TakeOver) => {
                return Err(Refusal::HeldBy { owner: agent })
            }

            (Mode::Ai, Command::HandOver | Command::Transfer(_)) => return Err(Refusal::AiHandles),
            (Mode::Ai, Command::Close) => ModeChange::Closed { by: me },

            (Mode::Human { agent }, Command::HandOver | Command::Transfer(_) | Command::Close)
                if agent != me =>
            {
                return Err(Refusal::NotOwner { owner: agent })
            }
            (Mode::Human { .. }, Command::HandOver) => ModeChange::HandedOver { by: me },
            (Mode::Human { .. }, Command::Close) => ModeChange::Closed { by: me },
            (Mode::Human { .. }, Command::Transfer(target)) => {
                if target.agent == me {
                    return Err(Refusal::TransferToSelf);
                }
                target.ready()?;
                ModeChange::Transferred {
                    from: me,
                    to: target.agent,
                }
            }
        };
        Ok(Transition {
            from: self,
            to: change.resulting_mode(),
            change,
        })
    }

    /// Decides a change Baton makes itself: the assigner giving a waiting conversation to an
    /// agent, or the router putting one back in the queue. Racing an agent's command, the
    /// store's conditional write lets exactly one win.
    pub fn route(self, routing: Routing) -> Result<Transition, Refusal> {
        let change = match (self, routing) {
            (Mode::Closed, _) => return Err(Refusal::Closed),
            (Mode::Human { agent }, Routing::Assign(_)) => {
                return Err(Refusal::HeldBy { owner: agent })
            }
            (Mode::Ai, Routing::Assign(target)) => {
                target.ready()?;
                ModeChange::Assigned {
                    agent: target.agent,
                }
            }
            (Mode::Human { agent }, Routing::Requeue { owner, reason }) if agent == owner => {
                ModeChange::Requeued {
                    from: owner,
                    reason,
                }
            }
            // The owner changed (or handed over) since the router looked.
            (Mode::Human { .. } | Mode::Ai, Routing::Requeue { .. }) => {
                return Err(Refusal::Changed)
            }
        };
        Ok(Transition {
            from: self,
            to: change.resulting_mode(),
            change,
        })
    }

    /// Whether `writer` may write a message into a conversation in this mode. The one write
    /// rule: the store's guard, the socket's typing filter and the dashboard's reply box all
    /// ask it.
    pub fn may_write(self, writer: Writer) -> Result<(), Refusal> {
        match (self, writer) {
            // Baton's notices come with the change they announce (even the closing one).
            (_, Writer::System) => Ok(()),
            (Mode::Closed, _) => Err(Refusal::Closed),
            (Mode::Ai | Mode::Human { .. }, Writer::Customer) => Ok(()),
            (Mode::Ai, Writer::Ai) => Ok(()),
            (Mode::Human { agent }, Writer::Ai) => Err(Refusal::HeldBy { owner: agent }),
            (Mode::Ai, Writer::Agent(_)) => Err(Refusal::AiHandles),
            (Mode::Human { agent }, Writer::Agent(me)) if agent == me => Ok(()),
            (Mode::Human { agent }, Writer::Agent(_)) => Err(Refusal::NotOwner { owner: agent }),
        }
    }

    /// The write rule as the store checks it, atomically with the append, on a conversation
    /// in this mode at `version`: [`Mode::may_write`], and a message decided when the
    /// conversation was at version `decided_at` (the AI's reply to what it read) only if no
    /// change of mode came since. A reply still being computed when an agent takes over (and
    /// perhaps hands back) is discarded, never posted.
    pub fn may_append(
        self,
        writer: Writer,
        version: u64,
        decided_at: Option<u64>,
    ) -> Result<(), Refusal> {
        self.may_write(writer)?;
        match decided_at {
            Some(decided) if decided != version => Err(Refusal::Changed),
            _ => Ok(()),
        }
    }
}

/// Who writes a message into a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Writer {
    /// The customer the conversation belongs to.
    Customer,
    /// The AI assistant.
    Ai,
    /// A human agent.
    Agent(AgentId),
    /// Baton itself: the notices that come with a hand-off.
    System,
}

impl From<&Author> for Writer {
    fn from(author: &Author) -> Self {
        match author {
            Author::Customer => Writer::Customer,
            Author::Ai => Writer::Ai,
            Author::Agent { agent } => Writer::Agent(agent.id),
            Author::System => Writer::System,
        }
    }
}

/// The agent asking for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub agent: AgentId,
    pub role: Role,
}

/// What the chosen transfer target looks like at the moment of the transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferTarget {
    pub agent: AgentId,
    pub status: Availability,
    pub has_capacity: bool,
}

impl TransferTarget {
    /// Whether the agent can be given a conversation now: online, with room.
    fn ready(&self) -> Result<(), Refusal> {
        if self.status != Availability::Online {
            return Err(Refusal::TargetUnavailable {
                agent: self.agent,
                status: self.status,
            });
        }
        if !self.has_capacity {
            return Err(Refusal::TargetAtCapacity { agent: self.agent });
        }
        Ok(())
    }
}

/// A change Baton's router makes itself (see [`Mode::route`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// Auto-assignment gives a waiting conversation to this agent.
    Assign(TransferTarget),
    /// The conversation goes back to the queue: `owner` did not reply in time, or has been
    /// offline too long.
    Requeue {
        owner: AgentId,
        reason: EscalationReason,
    },
}

/// A requested change of mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// A human takes the conversation from the AI.
    TakeOver,
    /// A supervisor takes the conversation from whoever holds it (with a stated reason).
    ForceTakeOver,
    /// The owner gives the conversation back to the AI.
    HandOver,
    /// The owner gives the conversation to another agent.
    Transfer(TransferTarget),
    /// The conversation ends.
    Close,
    /// A closed conversation goes back to the AI.
    Reopen,
}

/// An accepted change, as recorded in the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChange {
    TakenOver {
        agent: AgentId,
    },
    ForcedTakeover {
        from: AgentId,
        to: AgentId,
    },
    HandedOver {
        by: AgentId,
    },
    Transferred {
        from: AgentId,
        to: AgentId,
    },
    Closed {
        by: AgentId,
    },
    Reopened {
        by: AgentId,
    },
    /// The assigner gave the conversation to an agent.
    Assigned {
        agent: AgentId,
    },
    /// The conversation went back to the queue (AI mode, waiting for a human).
    Requeued {
        from: AgentId,
        reason: EscalationReason,
    },
}

impl ModeChange {
    fn resulting_mode(self) -> Mode {
        match self {
            ModeChange::TakenOver { agent } | ModeChange::Assigned { agent } => {
                Mode::Human { agent }
            }
            ModeChange::ForcedTakeover { to, .. } => Mode::Human { agent: to },
            ModeChange::Transferred { to, .. } => Mode::Human { agent: to },
            ModeChange::HandedOver { .. }
            | ModeChange::Reopened { .. }
            | ModeChange::Requeued { .. } => Mode::Ai,
            ModeChange::Closed { .. } => Mode::Closed,
        }
    }
}

/// The outcome of an accepted command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Mode,
    pub to: Mode,
    pub change: ModeChange,
}

/// Why a command or a message was refused. Each names what the person needs to know.
///
/// This is the one refusal table: [`Refusal::kind`], [`Refusal::status`] and
/// [`Refusal::message`] say how every refusal is told, to API callers and in the dashboard
/// alike. The same reason always gets the same status, whatever was attempted: a message, a
/// handover and a transfer into an AI-handled conversation are all [`Refusal::AiHandles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Another agent already handles the conversation.
    HeldBy { owner: AgentId },
    /// You already handle it.
    AlreadyYours,
    /// Only the owner may do this.
    NotOwner { owner: AgentId },
    /// The AI handles it: take it over first.
    AiHandles,
    /// The conversation is closed.
    Closed,
    /// Only a closed conversation can be reopened.
    NotClosed,
    /// A transfer must go to someone else.
    TransferToSelf,
    /// The transfer target is away or offline.
    TargetUnavailable {
        agent: AgentId,
        status: Availability,
    },
    /// The transfer target has no room for another conversation.
    TargetAtCapacity { agent: AgentId },
    /// Only supervisors and admins may force a takeover.
    NotSupervisor,
    /// The conversation changed since the write was decided: decide again.
    Changed,
}

impl Refusal {
    /// One refusal of every kind, naming `someone` where a refusal names an agent.
    #[cfg(test)]
    pub(crate) fn examples(someone: AgentId) -> [Refusal; 11] {
        [
            Refusal::HeldBy { owner: someone },
            Refusal::AlreadyYours,
            Refusal::NotOwner { owner: someone },
            Refusal::AiHandles,
            Refusal::Closed,
            Refusal::NotClosed,
            Refusal::TransferToSelf,
            Refusal::TargetUnavailable {
                agent: someone,
                status: Availability::Away,
            },
            Refusal::TargetAtCapacity { agent: someone },
            Refusal::NotSupervisor,
            Refusal::Changed,
        ]
    }

    /// The stable machine-readable name (the `refusal` field of an API error).
    pub fn kind(self) -> &'static str {
        match self {
            Refusal::HeldBy { .. } => "held_by",
            Refusal::AlreadyYours => "already_yours",
            Refusal::NotOwner { .. } => "not_owner",
            Refusal::AiHandles => "ai_handles",
            Refusal::Closed => "closed",
            Refusal::NotClosed => "not_closed",
            Refusal::TransferToSelf => "transfer_to_self",
            Refusal::TargetUnavailable { .. } => "target_unavailable",
            Refusal::TargetAtCapacity { .. } => "target_at_capacity",
            Refusal::NotSupervisor => "not_supervisor",
            Refusal::Changed => "changed",
        }
    }

    /// The HTTP status: 400 for a request that can never succeed as asked, 403 for a person
    /// who may not do it, 409 for a conversation whose state forbids it right now.
    pub fn status(self) -> u16 {
        match self {
            Refusal::TransferToSelf => 400,
            Refusal::NotOwner { .. } | Refusal::NotSupervisor => 403,
            Refusal::HeldBy { .. }
            | Refusal::AlreadyYours
            | Refusal::AiHandles
            | Refusal::Closed
            | Refusal::NotClosed
            | Refusal::TargetUnavailable { .. }
            | Refusal::TargetAtCapacity { .. }
            | Refusal::Changed => 409,
        }
    }

    /// The one sentence a person reads. `name` gives the names of the agents it mentions
    /// (`None`: the sentence says "another agent" or "that agent").
    pub fn message(self, name: impl Fn(AgentId) -> Option<String>) -> String {
        self.message_in(Locale::en, name)
    }

    /// [`Refusal::message`] in `locale` (the dashboard's language).
    pub fn message_in(self, l: Locale, name: impl Fn(AgentId) -> Option<String>) -> String {
        use crate::i18n::td_string;
        let owner = |id| name(id).unwrap_or_else(|| td_string!(l, refusal.another_agent).into());
        let target = |id| name(id).unwrap_or_else(|| td_string!(l, refusal.that_agent).into());
        match self {
            Refusal::HeldBy { owner: id } => {
                td_string!(l, refusal.held_by, name = owner(id)).to_string()
            }
            Refusal::AlreadyYours => td_string!(l, refusal.already_yours).into(),
            Refusal::NotOwner { owner: id } => {
                let name =
                    name(id).unwrap_or_else(|| td_string!(l, refusal.another_agent_start).into());
                td_string!(l, refusal.not_owner, name).to_string()
            }
            Refusal::AiHandles => td_string!(l, refusal.ai_handles).into(),
            Refusal::Closed => td_string!(l, refusal.closed).into(),
            Refusal::NotClosed => td_string!(l, refusal.not_closed).into(),
            Refusal::TransferToSelf => td_string!(l, refusal.transfer_to_self).into(),
            Refusal::TargetUnavailable { agent, status } => td_string!(
                l,
                refusal.target_unavailable,
                name = target(agent),
                status = status.as_str()
            )
            .to_string(),
            Refusal::TargetAtCapacity { agent } => {
                td_string!(l, refusal.target_at_capacity, name = target(agent)).to_string()
            }
            Refusal::NotSupervisor => td_string!(l, refusal.not_supervisor).into(),
            Refusal::Changed => td_string!(l, refusal.changed).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Actor {
        Actor {
            agent: AgentId::parse("00000000-0000-7000-8000-000000000001").unwrap(),
            role: Role::Agent,
        }
    }
    fn other() -> AgentId {
        AgentId::parse("00000000-0000-7000-8000-000000000002").unwrap()
    }
    fn third() -> AgentId {
        AgentId::parse("00000000-0000-7000-8000-000000000003").unwrap()
    }
    fn mine() -> Mode {
        Mode::Human { agent: me().agent }
    }
    fn theirs() -> Mode {
        Mode::Human { agent: other() }
    }
    fn transfer_to(agent: AgentId, status: Availability, has_capacity: bool) -> Command {
        Command::Transfer(TransferTarget {
            agent,
            status,
            has_capacity,
        })
    }
    fn online(agent: AgentId) -> Command {
        transfer_to(agent, Availability::Online, true)
    }
    fn to(mode: Mode, command: Command) -> Result<Mode, Refusal> {
        mode.apply(&command, &me()).map(|t| t.to)
    }

    // Allowed transitions.

    #[test]
    fn an_agent_takes_over_an_ai_conversation() {
        let t = Mode::Ai.apply(&Command::TakeOver, &me()).unwrap();
        assert_eq!(t.from, Mode::Ai);
        assert_eq!(t.to, mine());
        assert_eq!(t.change, ModeChange::TakenOver { agent: me().agent });
    }

    #[test]
    fn the_owner_hands_over_to_the_ai() {
        assert_eq!(to(mine(), Command::HandOver), Ok(Mode::Ai));
    }

    #[test]
    fn the_owner_transfers_to_an_online_agent_with_capacity() {
        let t = mine().apply(&online(other()), &me()).unwrap();
        assert_eq!(t.to, theirs());
        assert_eq!(
            t.change,
            ModeChange::Transferred {
                from: me().agent,
                to: other()
            }
        );
    }

    #[test]
    fn the_owner_closes_their_conversation() {
        assert_eq!(to(mine(), Command::Close), Ok(Mode::Closed));
    }

    #[test]
    fn any_agent_closes_an_ai_conversation() {
        assert_eq!(to(Mode::Ai, Command::Close), Ok(Mode::Closed));
    }

    #[test]
    fn a_closed_conversation_reopens_to_the_ai() {
        assert_eq!(to(Mode::Closed, Command::Reopen), Ok(Mode::Ai));
    }

    // Refused transitions: every remaining (mode, command) pair.

    #[test]
    fn taking_over_what_another_agent_holds_names_the_holder() {
        assert_eq!(
            to(theirs(), Command::TakeOver),
            Err(Refusal::HeldBy { owner: other() })
        );
    }

    #[test]
    fn taking_over_your_own_conversation_is_refused() {
        assert_eq!(to(mine(), Command::TakeOver), Err(Refusal::AlreadyYours));
    }

    #[test]
    fn nothing_but_reopen_applies_to_a_closed_conversation() {
        for command in [
            Command::TakeOver,
            Command::HandOver,
            online(other()),
            Command::Close,
        ] {
            assert_eq!(
                to(Mode::Closed, command),
                Err(Refusal::Closed),
                "{command:?}"
            );
        }
    }

    /// Asserts `command` is refused with `refusal` in each of `modes`.
    fn refused_in(modes: impl IntoIterator<Item = Mode>, command: Command, refusal: Refusal) {
        for mode in modes {
            assert_eq!(to(mode, command), Err(refusal), "{mode:?}");
        }
    }

    #[test]
    fn only_a_closed_conversation_reopens() {
        refused_in(
            [Mode::Ai, mine(), theirs()],
            Command::Reopen,
            Refusal::NotClosed,
        );
    }

    #[test]
    fn handover_and_transfer_need_a_human_owner() {
        assert_eq!(to(Mode::Ai, Command::HandOver), Err(Refusal::AiHandles));
        assert_eq!(to(Mode::Ai, online(other())), Err(Refusal::AiHandles));
    }

    #[test]
    fn only_the_owner_hands_over_transfers_or_closes() {
        for command in [Command::HandOver, online(third()), Command::Close] {
            assert_eq!(
                to(theirs(), command),
                Err(Refusal::NotOwner { owner: other() }),
                "{command:?}"
            );
        }
    }

    #[test]
    fn a_transfer_to_yourself_is_refused() {
        assert_eq!(to(mine(), online(me().agent)), Err(Refusal::TransferToSelf));
    }

    #[test]
    fn a_transfer_to_an_away_or_offline_agent_is_refused() {
        for status in [Availability::Away, Availability::Offline] {
            assert_eq!(
                to(mine(), transfer_to(other(), status, true)),
                Err(Refusal::TargetUnavailable {
                    agent: other(),
                    status
                })
            );
        }
    }

    #[test]
    fn a_transfer_to_an_agent_at_capacity_is_refused() {
        assert_eq!(
            to(mine(), transfer_to(other(), Availability::Online, false)),
            Err(Refusal::TargetAtCapacity { agent: other() })
        );
    }

    #[test]
    fn a_supervisor_forces_a_takeover_from_another_agent() {
        let supervisor = Actor {
            agent: me().agent,
            role: Role::Supervisor,
        };
        let t = theirs()
            .apply(&Command::ForceTakeOver, &supervisor)
            .unwrap();
        assert_eq!(t.to, mine());
        assert_eq!(
            t.change,
            ModeChange::ForcedTakeover {
                from: other(),
                to: me().agent
            }
        );
        assert_eq!(
            Mode::Ai
                .apply(&Command::ForceTakeOver, &supervisor)
                .map(|t| t.to),
            Ok(mine())
        );
        assert_eq!(
            mine().apply(&Command::ForceTakeOver, &supervisor),
            Err(Refusal::AlreadyYours)
        );
        assert_eq!(
            Mode::Closed.apply(&Command::ForceTakeOver, &supervisor),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn an_agent_cannot_force_a_takeover() {
        let every_mode = [Mode::Ai, mine(), theirs(), Mode::Closed];
        refused_in(every_mode, Command::ForceTakeOver, Refusal::NotSupervisor);
    }

    // Routing.

    fn ready(agent: AgentId) -> TransferTarget {
        TransferTarget {
            agent,
            status: Availability::Online,
            has_capacity: true,
        }
    }

    #[test]
    fn the_assigner_gives_an_ai_conversation_to_a_ready_agent() {
        let t = Mode::Ai.route(Routing::Assign(ready(other()))).unwrap();
        assert_eq!(t.to, theirs());
        assert_eq!(t.change, ModeChange::Assigned { agent: other() });
    }

    #[test]
    fn the_assigner_never_takes_a_conversation_a_person_holds() {
        assert_eq!(
            theirs().route(Routing::Assign(ready(third()))),
            Err(Refusal::HeldBy { owner: other() })
        );
        assert_eq!(
            Mode::Closed.route(Routing::Assign(ready(third()))),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn the_assigner_gives_only_to_agents_online_with_room() {
        let away = TransferTarget {
            status: Availability::Away,
            ..ready(other())
        };
        assert_eq!(
            Mode::Ai.route(Routing::Assign(away)),
            Err(Refusal::TargetUnavailable {
                agent: other(),
                status: Availability::Away
            })
        );
        let full = TransferTarget {
            has_capacity: false,
            ..ready(other())
        };
        assert_eq!(
            Mode::Ai.route(Routing::Assign(full)),
            Err(Refusal::TargetAtCapacity { agent: other() })
        );
    }

    #[test]
    fn a_silent_or_offline_owner_loses_the_conversation_to_the_queue() {
        for reason in [EscalationReason::NoReply, EscalationReason::OwnerOffline] {
            let t = theirs()
                .route(Routing::Requeue {
                    owner: other(),
                    reason,
                })
                .unwrap();
            assert_eq!(t.to, Mode::Ai);
            assert_eq!(
                t.change,
                ModeChange::Requeued {
                    from: other(),
                    reason
                }
            );
        }
    }

    #[test]
    fn a_requeue_decided_on_a_stale_owner_is_refused() {
        let requeue = Routing::Requeue {
            owner: other(),
            reason: EscalationReason::NoReply,
        };
        assert_eq!(mine().route(requeue), Err(Refusal::Changed));
        assert_eq!(Mode::Ai.route(requeue), Err(Refusal::Changed));
        assert_eq!(Mode::Closed.route(requeue), Err(Refusal::Closed));
    }

    // Who may write.

    #[test]
    fn only_the_owner_writes_as_an_agent() {
        assert_eq!(mine().may_write(Writer::Agent(me().agent)), Ok(()));
        assert_eq!(
            theirs().may_write(Writer::Agent(me().agent)),
            Err(Refusal::NotOwner { owner: other() })
        );
        assert_eq!(
            Mode::Ai.may_write(Writer::Agent(me().agent)),
            Err(Refusal::AiHandles)
        );
    }

    #[test]
    fn the_ai_writes_only_in_ai_mode() {
        assert_eq!(Mode::Ai.may_write(Writer::Ai), Ok(()));
        assert_eq!(
            theirs().may_write(Writer::Ai),
            Err(Refusal::HeldBy { owner: other() })
        );
        assert_eq!(Mode::Closed.may_write(Writer::Ai), Err(Refusal::Closed));
    }

    #[test]
    fn the_customer_writes_until_the_conversation_is_closed() {
        assert_eq!(Mode::Ai.may_write(Writer::Customer), Ok(()));
        assert_eq!(theirs().may_write(Writer::Customer), Ok(()));
        assert_eq!(
            Mode::Closed.may_write(Writer::Customer),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn nobody_but_baton_writes_into_a_closed_conversation() {
        for writer in [Writer::Customer, Writer::Ai, Writer::Agent(me().agent)] {
            assert_eq!(
                Mode::Closed.may_write(writer),
                Err(Refusal::Closed),
                "{writer:?}"
            );
        }
        // The closing notice itself is written with the close.
        assert_eq!(Mode::Closed.may_write(Writer::System), Ok(()));
    }

    #[test]
    fn a_reply_decided_before_a_change_of_mode_is_refused() {
        assert_eq!(Mode::Ai.may_append(Writer::Ai, 3, Some(3)), Ok(()));
        // Taken over and handed back meanwhile: AI mode again, but at a later version.
        assert_eq!(
            Mode::Ai.may_append(Writer::Ai, 5, Some(3)),
            Err(Refusal::Changed)
        );
        assert_eq!(
            mine().may_append(Writer::Ai, 4, Some(3)),
            Err(Refusal::HeldBy { owner: me().agent })
        );
        assert_eq!(Mode::Ai.may_append(Writer::Customer, 9, None), Ok(()));
    }

    #[test]
    fn writers_follow_the_messages_author() {
        let agent = crate::domain::AgentRef {
            id: other(),
            name: "Budi".into(),
        };
        assert_eq!(
            Writer::from(&Author::Agent { agent }),
            Writer::Agent(other())
        );
        assert_eq!(Writer::from(&Author::Customer), Writer::Customer);
        assert_eq!(Writer::from(&Author::Ai), Writer::Ai);
        assert_eq!(Writer::from(&Author::System), Writer::System);
    }

    // The refusal table.

    #[test]
    fn the_ai_handling_a_conversation_is_one_refusal_whatever_was_attempted() {
        let send = Mode::Ai.may_write(Writer::Agent(me().agent));
        let handover = to(Mode::Ai, Command::HandOver);
        let transfer = to(Mode::Ai, online(other()));
        assert_eq!(send, Err(Refusal::AiHandles));
        assert_eq!(handover.map(|_| ()), send);
        assert_eq!(transfer.map(|_| ()), send);
        assert_eq!(Refusal::AiHandles.status(), 409);
    }

    #[test]
    fn a_refusals_kind_is_its_serialized_name() {
        for refusal in Refusal::examples(other()) {
            let json = serde_json::to_value(refusal).unwrap();
            assert_eq!(json["refusal"], refusal.kind(), "{refusal:?}");
        }
    }

    #[test]
    fn every_refusal_is_bad_input_forbidden_or_conflict() {
        for refusal in Refusal::examples(other()) {
            assert!([400, 403, 409].contains(&refusal.status()), "{refusal:?}");
        }
        assert_eq!(Refusal::NotOwner { owner: other() }.status(), 403);
        assert_eq!(Refusal::HeldBy { owner: other() }.status(), 409);
        assert_eq!(Refusal::TransferToSelf.status(), 400);
    }

    #[test]
    fn refusals_name_people_and_fall_back_when_the_name_is_unknown() {
        let named = |id: AgentId| (id == other()).then(|| "Budi Santoso".to_owned());
        assert_eq!(
            Refusal::HeldBy { owner: other() }.message(named),
            "Already taken over by Budi Santoso"
        );
        assert_eq!(
            Refusal::NotOwner { owner: other() }.message(named),
            "Budi Santoso handles this conversation: only they can do that"
        );
        assert_eq!(
            Refusal::TargetUnavailable {
                agent: other(),
                status: Availability::Offline
            }
            .message(named),
            "Budi Santoso is offline and cannot receive transfers"
        );
        assert_eq!(
            Refusal::TargetAtCapacity { agent: third() }.message(named),
            "That agent has no room for another conversation"
        );
        assert_eq!(
            Refusal::NotOwner { owner: third() }.message(named),
            "Another agent handles this conversation: only they can do that"
        );
    }

    #[test]
    fn modes_rebuild_from_their_stored_parts() {
        for mode in [Mode::Ai, mine(), Mode::Closed] {
            assert_eq!(Mode::from_parts(mode.tag(), mode.owner()), Some(mode));
        }
        assert_eq!(Mode::from_parts("human", None), None);
        assert_eq!(Mode::from_parts("ai", Some(other())), None);
    }
}

#[cfg(test)]
mod properties {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use proptest::prelude::*;
    use proptest::test_runner::{TestCaseError, TestRunner};

    use super::*;

    fn agent(n: u8) -> AgentId {
        AgentId::parse(&format!("00000000-0000-7000-8000-0000000000{n:02}")).unwrap()
    }

    fn actor() -> impl Strategy<Value = Actor> {
        (
            0u8..4,
            prop_oneof![Just(Role::Agent), Just(Role::Supervisor), Just(Role::Admin)],
        )
            .prop_map(|(n, role)| Actor {
                agent: agent(n),
                role,
            })
    }

    fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::TakeOver),
            Just(Command::ForceTakeOver),
            Just(Command::HandOver),
            Just(Command::Close),
            Just(Command::Reopen),
            (
                0u8..4,
                prop_oneof![
                    Just(Availability::Online),
                    Just(Availability::Away),
                    Just(Availability::Offline)
                ],
                any::<bool>()
            )
                .prop_map(|(n, status, has_capacity)| Command::Transfer(
                    TransferTarget {
                        agent: agent(n),
                        status,
                        has_capacity,
                    }
                )),
        ]
    }

    /// The properties the random sequences check. Each step records those it exercised, so
    /// a property that no generated step reaches fails the test instead of passing unseen.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum Property {
        /// An accepted handover, transfer or close of a human conversation came from its owner.
        OwnerHandsOn,
        /// An accepted forced takeover came from a supervisor or admin.
        ForcedBySupervisor,
        /// An accepted transfer went to another agent, online and with room.
        TransferTargetReady,
        /// A human conversation belongs to whoever the accepted change named.
        NewOwnerNamed,
        /// Only a handover or a reopen gives the conversation to the AI.
        BackToAi,
        /// Only a close closes.
        ClosedByClose,
        /// Exactly the owner may write as an agent, in the mode before and after.
        OwnerWrites,
        /// A refusal is justified by the state it was refused in, and changes nothing.
        RefusalJustified(&'static str),
    }

    impl Property {
        fn all() -> Vec<Property> {
            let mut all = vec![
                Property::OwnerHandsOn,
                Property::ForcedBySupervisor,
                Property::TransferTargetReady,
                Property::NewOwnerNamed,
                Property::BackToAi,
                Property::ClosedByClose,
                Property::OwnerWrites,
            ];
            // Every refusal `apply` can give (`Changed` comes only from a stale append).
            all.extend(
                Refusal::examples(agent(0))
                    .into_iter()
                    .filter(|refusal| *refusal != Refusal::Changed)
                    .map(|refusal| Property::RefusalJustified(refusal.kind())),
            );
            all
        }
    }

    /// Applies one command and checks every property that applies to it; returns the mode
    /// the conversation is in afterwards.
    fn step(
        mode: Mode,
        command: Command,
        actor: Actor,
        seen: &mut HashSet<Property>,
    ) -> Result<Mode, TestCaseError> {
        for writer in (0..4).map(agent) {
            prop_assert_eq!(
                mode.may_write(Writer::Agent(writer)).is_ok(),
                mode.owner() == Some(writer)
            );
        }
        seen.insert(Property::OwnerWrites);
        let transition = match mode.apply(&command, &actor) {
            Ok(transition) => transition,
            Err(refusal) => {
                prop_assert!(
                    justified(refusal, mode, command, actor),
                    "{refusal:?} for {command:?} by {actor:?} in {mode:?}"
                );
                seen.insert(Property::RefusalJustified(refusal.kind()));
                // A refusal is a pure answer: the conversation stays as it was.
                return Ok(mode);
            }
        };
        prop_assert_eq!(transition.from, mode);
        if let (Command::HandOver | Command::Transfer(_) | Command::Close, Mode::Human { agent }) =
            (command, mode)
        {
            prop_assert_eq!(agent, actor.agent);
            seen.insert(Property::OwnerHandsOn);
        }
        if command == Command::ForceTakeOver {
            prop_assert!(actor.role.can_force_takeover());
            seen.insert(Property::ForcedBySupervisor);
        }
        if let Command::Transfer(target) = command {
            prop_assert_eq!(target.status, Availability::Online);
            prop_assert!(target.has_capacity);
            prop_assert_ne!(target.agent, actor.agent);
            seen.insert(Property::TransferTargetReady);
        }
        match transition.to {
            Mode::Human { agent } => {
                let named = match command {
                    Command::Transfer(target) => target.agent,
                    _ => actor.agent,
                };
                prop_assert_eq!(agent, named);
                seen.insert(Property::NewOwnerNamed);
            }
            Mode::Ai => {
                prop_assert!(matches!(command, Command::HandOver | Command::Reopen));
                seen.insert(Property::BackToAi);
            }
            Mode::Closed => {
                prop_assert_eq!(command, Command::Close);
                seen.insert(Property::ClosedByClose);
            }
        }
        Ok(transition.to)
    }

    /// True when the state and the command show the reason `refusal` gives.
    fn justified(refusal: Refusal, mode: Mode, command: Command, actor: Actor) -> bool {
        let me = actor.agent;
        match refusal {
            Refusal::HeldBy { owner } => {
                command == Command::TakeOver && mode == Mode::Human { agent: owner } && owner != me
            }
            Refusal::AlreadyYours => mode == Mode::Human { agent: me },
            Refusal::NotOwner { owner } => mode == Mode::Human { agent: owner } && owner != me,
            Refusal::AiHandles => {
                mode == Mode::Ai && matches!(command, Command::HandOver | Command::Transfer(_))
            }
            Refusal::Closed => mode == Mode::Closed,
            Refusal::NotClosed => command == Command::Reopen && mode != Mode::Closed,
            Refusal::TransferToSelf => {
                matches!(command, Command::Transfer(target) if target.agent == me)
            }
            Refusal::TargetUnavailable { agent, status } => {
                status != Availability::Online
                    && matches!(command, Command::Transfer(target)
                        if target.agent == agent && target.status == status)
            }
            Refusal::TargetAtCapacity { agent } => matches!(command, Command::Transfer(target)
                if target.agent == agent && !target.has_capacity),
            Refusal::NotSupervisor => {
                command == Command::ForceTakeOver && !actor.role.can_force_takeover()
            }
            Refusal::Changed => false,
        }
    }

    /// Any sequence of commands by anyone keeps the rules: only owners hand over, transfer
    /// or close what they own; only supervisors force; transfers go to someone ready; a
    /// human conversation belongs to whoever the last accepted change named; exactly the
    /// owner may write; every refusal is justified and changes nothing. The test fails if
    /// any of these properties was never exercised.
    #[test]
    fn random_command_sequences_keep_the_rules() {
        let seen = RefCell::new(HashSet::new());
        let mut runner = TestRunner::new(ProptestConfig::with_cases(1_024));
        let result = runner.run(
            &prop::collection::vec((command(), actor()), 1..60),
            |steps| {
                let mut mode = Mode::Ai;
                for (command, actor) in steps {
                    mode = step(mode, command, actor, &mut seen.borrow_mut())?;
                }
                Ok(())
            },
        );
        if let Err(failure) = result {
            panic!("{failure}");
        }
        let seen = seen.into_inner();
        let unseen: Vec<_> = Property::all()
            .into_iter()
            .filter(|property| !seen.contains(property))
            .collect();
        assert!(unseen.is_empty(), "never exercised: {unseen:?}");
    }
}
