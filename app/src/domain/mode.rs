use serde::{Deserialize, Serialize};

use super::{AgentId, Availability, Role};

/// Who answers a conversation right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

            (Mode::Ai, Command::HandOver | Command::Transfer(_)) => return Err(Refusal::NotHuman),
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
                if target.status != Availability::Online {
                    return Err(Refusal::TargetUnavailable {
                        agent: target.agent,
                        status: target.status,
                    });
                }
                if !target.has_capacity {
                    return Err(Refusal::TargetAtCapacity {
                        agent: target.agent,
                    });
                }
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
    TakenOver { agent: AgentId },
    ForcedTakeover { from: AgentId, to: AgentId },
    HandedOver { by: AgentId },
    Transferred { from: AgentId, to: AgentId },
    Closed { by: AgentId },
    Reopened { by: AgentId },
}

impl ModeChange {
    fn resulting_mode(self) -> Mode {
        match self {
            ModeChange::TakenOver { agent } => Mode::Human { agent },
            ModeChange::ForcedTakeover { to, .. } => Mode::Human { agent: to },
            ModeChange::Transferred { to, .. } => Mode::Human { agent: to },
            ModeChange::HandedOver { .. } | ModeChange::Reopened { .. } => Mode::Ai,
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

/// Why a command was refused. Each names what the person needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Another agent already handles the conversation.
    HeldBy { owner: AgentId },
    /// You already handle it.
    AlreadyYours,
    /// Only the owner may do this.
    NotOwner { owner: AgentId },
    /// The AI handles it: take it over first.
    NotHuman,
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

    #[test]
    fn only_a_closed_conversation_reopens() {
        for mode in [Mode::Ai, mine(), theirs()] {
            assert_eq!(
                to(mode, Command::Reopen),
                Err(Refusal::NotClosed),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn handover_and_transfer_need_a_human_owner() {
        assert_eq!(to(Mode::Ai, Command::HandOver), Err(Refusal::NotHuman));
        assert_eq!(to(Mode::Ai, online(other())), Err(Refusal::NotHuman));
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
        for mode in [Mode::Ai, mine(), theirs(), Mode::Closed] {
            assert_eq!(
                to(mode, Command::ForceTakeOver),
                Err(Refusal::NotSupervisor),
                "{mode:?}"
            );
        }
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
    use proptest::prelude::*;

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

    proptest! {
        /// Any sequence of commands by anyone keeps the rules: a human conversation always
        /// has the owner the last accepted change named; only owners hand over, transfer or
        /// close what they own; refusals change nothing.
        #[test]
        fn random_command_sequences_keep_the_rules(steps in prop::collection::vec((command(), actor()), 1..60)) {
            let mut mode = Mode::Ai;
            for (command, actor) in steps {
                match mode.apply(&command, &actor) {
                    Ok(t) => {
                        prop_assert_eq!(t.from, mode);
                        match (command, mode) {
                            (Command::HandOver | Command::Transfer(_), Mode::Human { agent }) => {
                                prop_assert_eq!(agent, actor.agent)
                            }
                            (Command::Close, Mode::Human { agent }) => prop_assert_eq!(agent, actor.agent),
                            (Command::ForceTakeOver, _) => prop_assert!(actor.role.can_force_takeover()),
                            (Command::Transfer(target), _) => {
                                prop_assert_eq!(target.status, Availability::Online);
                                prop_assert!(target.has_capacity);
                            }
                            _ => {}
                        }
                        match t.to {
                            Mode::Human { agent } => prop_assert!(
                                agent == actor.agent || matches!(command, Command::Transfer(target) if target.agent == agent)
                            ),
                            Mode::Ai => prop_assert!(matches!(command, Command::HandOver | Command::Reopen)),
                            Mode::Closed => prop_assert_eq!(command, Command::Close),
                        }
                        mode = t.to;
                    }
                    Err(_) => {
                        // A refusal is a pure answer: the mode stays as it was.
                    }
                }
            }
        }
    }
}
