//! `/admin`: admins manage agents (create, disable, reset a password) and webhooks, and read
//! the audit log.
//! Who may see it is the server's answer to "who am I"; every change is one [`Action`], after
//! which the team and the log are fetched again.

use leptos::prelude::*;

use super::admin_agents::{AgentsTable, NewAgentForm};
use super::admin_webhooks::WebhooksPanel;
use super::browser::now_millis;
use super::format::ago;
use super::role_page::RolePage;
use crate::api::admin::{audit_log, create_agent, disable_agent, reset_password};
use crate::api::agents::list_agents;
use crate::domain::{AgentId, Role};
use crate::error::ApiError;

/// A change an admin makes to the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamChange {
    Create {
        email: String,
        name: String,
        role: Role,
        password: String,
    },
    Disable(AgentId),
    ResetPassword(AgentId, String),
}

impl TeamChange {
    /// What the admin is told once the change is made.
    fn done(&self) -> &'static str {
        match self {
            TeamChange::Create { .. } => "Agent created.",
            TeamChange::Disable(_) => "Agent disabled; their sessions ended.",
            TeamChange::ResetPassword(..) => "Password reset; their sessions ended.",
        }
    }
}

/// The action that makes a [`TeamChange`]; its value is what the admin is told.
pub type TeamChanges = Action<TeamChange, Result<TeamChange, ApiError>>;

/// The admin page.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <RolePage
            class="admin"
            title="Baton · Admin"
            admits=|role| role == Role::Admin
            refusal="Only admins can manage agents."
            sign_in="Sign in as an admin on the agent page first."
        >
            <AdminDesk />
        </RolePage>
    }
}

/// What an admin works with: the team, a form for a new agent, and the audit log.
#[component]
fn AdminDesk() -> impl IntoView {
    let agents = LocalResource::new(list_agents);
    let audit = LocalResource::new(|| audit_log(None, Some(100)));
    let change: TeamChanges = Action::new_local(|change: &TeamChange| {
        let change = change.clone();
        async move {
            match &change {
                TeamChange::Create {
                    email,
                    name,
                    role,
                    password,
                } => create_agent(email.clone(), name.clone(), *role, password.clone(), None)
                    .await
                    .map(|_| ())?,
                TeamChange::Disable(id) => disable_agent(*id).await?,
                TeamChange::ResetPassword(id, password) => {
                    reset_password(*id, password.clone()).await?
                }
            }
            Ok::<_, ApiError>(change)
        }
    });
    let (version, outcome) = (change.version(), change.value());
    Effect::new(move |before: Option<usize>| {
        let now = version.get();
        if before.is_some_and(|before| before != now) {
            agents.refetch();
            audit.refetch();
        }
        now
    });
    let told = move || {
        outcome.get().map(|result| match result {
            Ok(done) => done.done().to_owned(),
            Err(err) => err.to_string(),
        })
    };

    view! {
        {move || {
            told()
                .map(|m| {
                    view! {
                        <p class="banner warn" role="status">
                            {m}
                        </p>
                    }
                })
        }}
        <AgentsTable agents=agents change=change />
        <NewAgentForm change=change />
        <WebhooksPanel />
        <section class="card" aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit log"</h2>
            <table>
                <thead>
                    <tr>
                        <th>"When"</th>
                        <th>"Who"</th>
                        <th>"What"</th>
                        <th>"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || audit.get().and_then(Result::ok).unwrap_or_default()
                        key=|e| e.id
                        children=move |e| {
                            view! {
                                <tr>
                                    <td>{ago(crate::domain::Locale::en, e.at, now_millis())}</td>
                                    <td>{e.actor.map_or_else(|| "unknown".into(), |a| a.name)}</td>
                                    <td>{e.action.as_str()}</td>
                                    <td>{e.detail.unwrap_or_default()}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </section>
    }
}
