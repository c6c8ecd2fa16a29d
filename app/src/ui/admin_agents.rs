//! The admin page's team: the agents with their load and the buttons that disable them or
//! reset their password, and the form that adds an agent.

use leptos::prelude::*;

use super::admin_page::{TeamChange, TeamChanges};
use crate::domain::{AgentOverview, Role};
use crate::error::ApiError;

/// The team, one row an agent.
#[component]
pub fn AgentsTable(
    agents: LocalResource<Result<Vec<AgentOverview>, ApiError>>,
    change: TeamChanges,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="agents-title">
            <h2 id="agents-title">"Agents"</h2>
            <table>
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"E-mail"</th>
                        <th>"Role"</th>
                        <th>"Status"</th>
                        <th>"Chats"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || agents.get().and_then(Result::ok).unwrap_or_default()
                        key=|o| o.agent.id
                        children=move |o| view! { <AgentRow overview=o change=change /> }
                    />
                </tbody>
            </table>
        </section>
    }
}

/// One agent of the team.
#[component]
fn AgentRow(overview: AgentOverview, change: TeamChanges) -> impl IntoView {
    let agent = overview.agent;
    let id = agent.id;
    let new_password = RwSignal::new(String::new());
    let label = format!("New password for {}", agent.display_name);
    view! {
        <tr>
            <td>{agent.display_name.to_string()}</td>
            <td>{agent.email.to_string()}</td>
            <td>{agent.role.as_str()}</td>
            <td>{agent.status.as_str()}</td>
            <td>{format!("{}/{}", overview.open_conversations, agent.max_chats)}</td>
            <td class="row-actions">
                <input
                    type="password"
                    aria-label=label
                    placeholder="new password"
                    bind:value=new_password
                />
                <button
                    class="button"
                    on:click=move |_| {
                        change
                            .dispatch(TeamChange::ResetPassword(id, new_password.get_untracked()));
                    }
                >
                    "Reset password"
                </button>
                <button
                    class="button ghost"
                    on:click=move |_| {
                        change.dispatch(TeamChange::Disable(id));
                    }
                >
                    "Disable"
                </button>
            </td>
        </tr>
    }
}

/// The form that adds an agent; it empties once the agent exists.
#[component]
pub fn NewAgentForm(change: TeamChanges) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let password = RwSignal::new(String::new());
    let outcome = change.value();
    Effect::new(move |_| {
        if let Some(Ok(TeamChange::Create { .. })) = outcome.get() {
            for field in [email, name, password] {
                field.set(String::new());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(TeamChange::Create {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <form class="card admin-create" on:submit=submit aria-labelledby="create-title">
            <h2 id="create-title">"Add an agent"</h2>
            <label for="new-email">"E-mail"</label>
            <input id="new-email" type="email" required bind:value=email />
            <label for="new-name">"Display name"</label>
            <input id="new-name" required bind:value=name />
            <label for="new-role">"Role"</label>
            <select
                id="new-role"
                on:change=move |ev| {
                    role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Agent))
                }
            >
                <option value="agent">"Agent"</option>
                <option value="supervisor">"Supervisor"</option>
                <option value="admin">"Admin"</option>
            </select>
            <label for="new-password">"Password (at least 8 characters)"</label>
            <input id="new-password" type="password" required bind:value=password />
            <button class="button primary" type="submit">
                "Create agent"
            </button>
        </form>
    }
}
