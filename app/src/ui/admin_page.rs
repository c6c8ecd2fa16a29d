use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::now_millis;
use super::format::ago;
use crate::api::admin::{audit_log, create_agent, disable_agent, reset_password};
use crate::api::agents::list_agents;
use crate::api::auth::me;
use crate::domain::{AgentId, AgentOverview, AuditEntry, Role};
use crate::error::ApiError;

/// `/admin`: manage agents and read the audit log (admins only).
#[component]
pub fn AdminPage() -> impl IntoView {
    let allowed = RwSignal::new(None::<Result<(), String>>);
    let agents = RwSignal::new(Vec::<AgentOverview>::new());
    let audit = RwSignal::new(Vec::<AuditEntry>::new());
    let message = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let password = RwSignal::new(String::new());

    let reload = move || {
        spawn_local(async move {
            if let Ok(list) = list_agents().await {
                agents.set(list);
            }
            if let Ok(entries) = audit_log(None, Some(100)).await {
                audit.set(entries);
            }
        });
    };
    spawn_local(async move {
        match me().await {
            Ok(agent) if agent.role == Role::Admin => {
                allowed.set(Some(Ok(())));
                reload();
            }
            Ok(_) => allowed.set(Some(Err("Only admins can manage agents.".into()))),
            Err(ApiError::Unauthorized { .. }) => allowed.set(Some(Err(
                "Sign in as an admin on the agent page first.".into(),
            ))),
            Err(err) => allowed.set(Some(Err(err.to_string()))),
        }
    });
    let report = move |result: Result<(), ApiError>, done: &str| {
        match result {
            Ok(()) => message.set(Some(done.to_owned())),
            Err(err) => message.set(Some(err.to_string())),
        }
        reload();
    };

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, n, r, p) = (
            email.get_untracked(),
            name.get_untracked(),
            role.get_untracked(),
            password.get_untracked(),
        );
        spawn_local(async move {
            let result = create_agent(e, n, r, p, None).await.map(|_| ());
            if result.is_ok() {
                email.set(String::new());
                name.set(String::new());
                password.set(String::new());
            }
            report(result, "Agent created.");
        });
    };
    let disable = move |id: AgentId| {
        spawn_local(async move {
            report(
                disable_agent(id).await,
                "Agent disabled; their sessions ended.",
            )
        });
    };
    let reset = move |id: AgentId, new_password: String| {
        spawn_local(async move {
            report(
                reset_password(id, new_password).await,
                "Password reset; their sessions ended.",
            )
        });
    };

    view! {
        <main class="admin">
            <header class="topbar">
                <span class="brand">"Baton · Admin"</span>
                <span class="topbar-spacer"></span>
                <a href="/agent">"Dashboard"</a>
            </header>
            {move || match allowed.get() {
                None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                Some(Err(why)) => view! { <p class="banner error" role="alert">{why}</p> }.into_any(),
                Some(Ok(())) => view! {
                    {move || message.get().map(|m| view! { <p class="banner warn" role="status">{m}</p> })}
                    <section class="card" aria-labelledby="agents-title">
                        <h2 id="agents-title">"Agents"</h2>
                        <table>
                            <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th>"Status"</th><th>"Chats"</th><th>"Actions"</th></tr></thead>
                            <tbody>
                                <For
                                    each=move || agents.get()
                                    key=|o| o.agent.id
                                    children=move |o| {
                                        let id = o.agent.id;
                                        let new_password = RwSignal::new(String::new());
                                        let label = format!("New password for {}", o.agent.display_name);
                                        view! {
                                            <tr>
                                                <td>{o.agent.display_name.to_string()}</td>
                                                <td>{o.agent.email.to_string()}</td>
                                                <td>{o.agent.role.as_str()}</td>
                                                <td>{o.agent.status.as_str()}</td>
                                                <td>{format!("{}/{}", o.open_conversations, o.agent.max_chats)}</td>
                                                <td class="row-actions">
                                                    <input type="password" aria-label=label placeholder="new password"
                                                        prop:value=move || new_password.get()
                                                        on:input=move |ev| new_password.set(event_target_value(&ev)) />
                                                    <button class="button" on:click=move |_| reset(id, new_password.get_untracked())>"Reset password"</button>
                                                    <button class="button ghost" on:click=move |_| disable(id)>"Disable"</button>
                                                </td>
                                            </tr>
                                        }
                                    }
                                />
                            </tbody>
                        </table>
                    </section>
                    <form class="card admin-create" on:submit=create aria-labelledby="create-title">
                        <h2 id="create-title">"Add an agent"</h2>
                        <label for="new-email">"E-mail"</label>
                        <input id="new-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                        <label for="new-name">"Display name"</label>
                        <input id="new-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        <label for="new-role">"Role"</label>
                        <select id="new-role" on:change=move |ev| role.set(match event_target_value(&ev).as_str() {
                            "supervisor" => Role::Supervisor,
                            "admin" => Role::Admin,
                            _ => Role::Agent,
                        })>
                            <option value="agent">"Agent"</option>
                            <option value="supervisor">"Supervisor"</option>
                            <option value="admin">"Admin"</option>
                        </select>
                        <label for="new-password">"Password (at least 8 characters)"</label>
                        <input id="new-password" type="password" required prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                        <button class="button primary" type="submit">"Create agent"</button>
                    </form>
                    <section class="card" aria-labelledby="audit-title">
                        <h2 id="audit-title">"Audit log"</h2>
                        <table>
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                <For
                                    each=move || audit.get()
                                    key=|e| e.id
                                    children=move |e| view! {
                                        <tr>
                                            <td>{ago(e.at, now_millis())}</td>
                                            <td>{e.actor.map(|a| a.name).unwrap_or_else(|| "unknown".into())}</td>
                                            <td>{e.action.as_str()}</td>
                                            <td>{e.detail.unwrap_or_default()}</td>
                                        </tr>
                                    }
                                />
                            </tbody>
                        </table>
                    </section>
                }.into_any(),
            }}
        </main>
    }
}
