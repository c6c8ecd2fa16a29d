//! The signed-in agent, provided once by the dashboard to every component below it, so that
//! no component takes "who am I" as a prop and every button asks the rule book as that agent.

use leptos::prelude::*;

use crate::domain::{Actor, Agent, AgentId, Availability, Command, Mode};

/// The signed-in agent; kept current by availability changes and presence frames.
#[derive(Debug, Clone, Copy)]
pub struct Me(RwSignal<Agent>);

/// Makes `agent` the signed-in agent for the components below the caller.
pub fn provide_me(agent: Agent) -> Me {
    let me = Me(RwSignal::new(agent));
    provide_context(me);
    me
}

/// The signed-in agent, as [`provide_me`] provided it.
pub fn use_me() -> Me {
    expect_context()
}

impl Me {
    /// The agent (tracked).
    pub fn get(self) -> Agent {
        self.0.get()
    }

    /// The agent, without tracking.
    pub fn get_untracked(self) -> Agent {
        self.0.get_untracked()
    }

    /// The agent's id (it never changes while signed in, so this does not track).
    pub fn id(self) -> AgentId {
        self.0.with_untracked(|agent| agent.id)
    }

    /// The agent as the rule book's actor.
    pub fn actor(self) -> Actor {
        self.0.with_untracked(|agent| Actor {
            agent: agent.id,
            role: agent.role,
        })
    }

    /// True when [`Mode::apply`] lets this agent give `command` in `mode`.
    pub fn may(self, mode: Mode, command: &Command) -> bool {
        mode.apply(command, &self.actor()).is_ok()
    }

    /// Replaces the agent (as the server now has it).
    pub fn set(self, agent: Agent) {
        self.0.set(agent);
    }

    /// Records a new availability.
    pub fn set_status(self, status: Availability) {
        self.0.update(|agent| agent.status = status);
    }
}
