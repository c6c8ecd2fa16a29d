//! The admin page's webhooks: the endpoints (add, enable or disable, rotate the secret,
//! remove), the secret shown once after it is made, and an endpoint's delivery log with
//! every attempt and a button to send a delivery again.

use leptos::prelude::*;

use super::browser::now_millis;
use super::format::ago;
use crate::api::webhooks::{
    create_webhook, delete_webhook, list_webhooks, replay_delivery, rotate_webhook, update_webhook,
    webhook_deliveries,
};
use crate::domain::webhook::{
    DeliveryLog, DeliveryStatus, EventFilter, WebhookEndpoint, EVENT_TYPES,
};
use crate::error::ApiError;

/// A change an admin makes to the endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HookChange {
    Create { url: String, events: Vec<String> },
    Enable(WebhookEndpoint, bool),
    Rotate(String),
    Delete(String),
    Replay(String),
}

/// What the admin is told once a change is made, and the secret to copy if one was made.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Told {
    message: String,
    secret: Option<String>,
}

async fn make(change: HookChange) -> Result<Told, ApiError> {
    let told = |message: &str| Told {
        message: message.into(),
        secret: None,
    };
    Ok(match change {
        HookChange::Create { url, events } => {
            let events = (!events.is_empty()).then_some(events);
            let made = create_webhook(url, events).await?;
            Told {
                message: format!(
                    "Endpoint added. Copy its signing secret now: it is not shown again ({}).",
                    made.endpoint.url
                ),
                secret: Some(made.secret),
            }
        }
        HookChange::Enable(endpoint, enabled) => {
            let events = match endpoint.events {
                EventFilter::All => None,
                EventFilter::Only(types) => Some(types),
            };
            update_webhook(endpoint.id, endpoint.url, events, enabled).await?;
            told(if enabled {
                "Endpoint enabled."
            } else {
                "Endpoint disabled: it gets no new deliveries."
            })
        }
        HookChange::Rotate(id) => {
            let made = rotate_webhook(id).await?;
            Told {
                message: "New secret made; the old one keeps signing for 24 hours. Copy it now: \
                          it is not shown again."
                    .into(),
                secret: Some(made.secret),
            }
        }
        HookChange::Delete(id) => {
            delete_webhook(id).await?;
            told("Endpoint removed with its delivery log.")
        }
        HookChange::Replay(id) => {
            replay_delivery(id).await?;
            told("The delivery is sent again now, with the same webhook-id.")
        }
    })
}

/// Endpoints, the form for a new one, and the selected endpoint's delivery log.
#[component]
pub fn WebhooksPanel() -> impl IntoView {
    let endpoints = LocalResource::new(list_webhooks);
    let selected = RwSignal::new(None::<String>);
    let log = LocalResource::new(move || {
        let endpoint = selected.get();
        async move {
            match endpoint {
                Some(id) => webhook_deliveries(id, Some(50)).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let change = Action::new_local(|change: &HookChange| make(change.clone()));
    let (version, outcome) = (change.version(), change.value());
    Effect::new(move |before: Option<usize>| {
        let now = version.get();
        if before.is_some_and(|before| before != now) {
            endpoints.refetch();
            log.refetch();
        }
        now
    });

    view! {
        <section class="card" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p class="muted">
                "Each event is sent, signed (Standard Webhooks), to every enabled endpoint that takes its type; failed deliveries are retried for about a day."
            </p>
            {move || {
                outcome
                    .get()
                    .map(|result| match result {
                        Ok(told) => {
                            view! {
                                <div class="banner warn" role="status">
                                    <p>{told.message}</p>
                                    {told
                                        .secret
                                        .map(|secret| {
                                            view! {
                                                <input
                                                    class="secret"
                                                    readonly
                                                    aria-label="Signing secret"
                                                    value=secret
                                                />
                                            }
                                        })}
                                </div>
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <p class="banner error" role="alert">
                                    {err.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
            <table>
                <thead>
                    <tr>
                        <th>"URL"</th>
                        <th>"Events"</th>
                        <th>"State"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || endpoints.get().and_then(Result::ok).unwrap_or_default()
                        key=|e| (e.id.clone(), e.enabled, e.previous_secret_until)
                        children=move |e| {
                            view! { <EndpointRow endpoint=e change=change selected=selected /> }
                        }
                    />
                </tbody>
            </table>
            <NewEndpointForm change=change />
            {move || {
                selected
                    .get()
                    .map(|_| {
                        view! {
                            <DeliveryLogTable
                                deliveries=Signal::derive(move || {
                                    log.get().and_then(Result::ok).unwrap_or_default()
                                })
                                change=change
                            />
                        }
                    })
            }}
        </section>
    }
}

/// One endpoint and its buttons.
#[component]
fn EndpointRow(
    endpoint: WebhookEndpoint,
    change: Action<HookChange, Result<Told, ApiError>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let events = match &endpoint.events {
        EventFilter::All => "all".to_owned(),
        EventFilter::Only(types) => types.join(", "),
    };
    let state = match (&endpoint.enabled, &endpoint.disabled_reason) {
        (true, _) => "enabled".to_owned(),
        (false, Some(reason)) => format!("disabled: {reason}"),
        (false, None) => "disabled".to_owned(),
    };
    let (id, enabled) = (endpoint.id.clone(), endpoint.enabled);
    let (rotate_id, delete_id, show_id) = (id.clone(), id.clone(), id);
    let toggle = endpoint.clone();
    // Removing also drops the delivery log: it asks once more, in the row.
    let removing = RwSignal::new(false);
    view! {
        <tr>
            <td class="url">{endpoint.url.clone()}</td>
            <td>{events}</td>
            <td>{state}</td>
            <td class="row-actions">
                <button class="button" on:click=move |_| selected.set(Some(show_id.clone()))>
                    "Deliveries"
                </button>
                <button
                    class="button"
                    on:click=move |_| {
                        change.dispatch(HookChange::Enable(toggle.clone(), !enabled));
                    }
                >
                    {if enabled { "Disable" } else { "Enable" }}
                </button>
                <button
                    class="button"
                    on:click=move |_| {
                        change.dispatch(HookChange::Rotate(rotate_id.clone()));
                    }
                >
                    "Rotate secret"
                </button>
                <Show
                    when=move || removing.get()
                    fallback=move || {
                        view! {
                            <button class="button ghost" on:click=move |_| removing.set(true)>
                                "Remove"
                            </button>
                        }
                    }
                >
                    <span role="group" aria-label="Remove this endpoint?">
                        <span class="muted">"Its delivery log goes too. "</span>
                        <button
                            class="button danger"
                            on:click={
                                let delete_id = delete_id.clone();
                                move |_| {
                                    change.dispatch(HookChange::Delete(delete_id.clone()));
                                }
                            }
                        >
                            "Remove for good"
                        </button>
                        <button class="button ghost" on:click=move |_| removing.set(false)>
                            "Keep"
                        </button>
                    </span>
                </Show>
            </td>
        </tr>
    }
}

/// The form for a new endpoint: its URL and the event types it takes (none ticked: all).
#[component]
fn NewEndpointForm(change: Action<HookChange, Result<Told, ApiError>>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    view! {
        <form
            class="stack"
            on:submit=move |ev| {
                ev.prevent_default();
                change
                    .dispatch(HookChange::Create {
                        url: url.get_untracked(),
                        events: chosen.get_untracked(),
                    });
            }
        >
            <h3>"Add an endpoint"</h3>
            <label>"URL" <input type="url" required placeholder="https://" bind:value=url /></label>
            <fieldset>
                <legend>"Events (none ticked: all)"</legend>
                {EVENT_TYPES
                    .iter()
                    .map(|event_type| {
                        let event_type = (*event_type).to_owned();
                        let name = event_type.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen
                                            .update(|types| {
                                                types.retain(|t| *t != event_type);
                                                if on {
                                                    types.push(event_type.clone());
                                                }
                                            });
                                    }
                                />
                                {name}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button class="button primary" type="submit">
                "Add endpoint"
            </button>
        </form>
    }
}

/// The selected endpoint's latest deliveries, each with its attempts.
#[component]
fn DeliveryLogTable(
    deliveries: Signal<Vec<DeliveryLog>>,
    change: Action<HookChange, Result<Told, ApiError>>,
) -> impl IntoView {
    view! {
        <h3>"Deliveries"</h3>
        <table>
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Event"</th>
                    <th>"Status"</th>
                    <th>"Attempts"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || deliveries.get()
                    key=|log| (log.delivery.id.clone(), log.attempts.len(), log.delivery.status)
                    children=move |log| {
                        let id = log.delivery.id.clone();
                        let status = match log.delivery.status {
                            DeliveryStatus::Pending => "pending",
                            DeliveryStatus::Delivered => "delivered",
                            DeliveryStatus::Failed => "failed",
                        };
                        view! {
                            <tr>
                                <td>
                                    {ago(
                                        crate::domain::Locale::en,
                                        log.delivery.created_at,
                                        now_millis(),
                                    )}
                                </td>
                                <td>{log.delivery.event_type.clone()}</td>
                                <td>{status}</td>
                                <td>
                                    <details>
                                        <summary>{format!("{}", log.attempts.len())}</summary>
                                        <ul class="attempts">
                                            {log
                                                .attempts
                                                .into_iter()
                                                .map(|a| {
                                                    let answer = a
                                                        .status
                                                        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
                                                    view! {
                                                        <li>
                                                            {format!(
                                                                "{} · {answer} · {} ms · {}",
                                                                ago(crate::domain::Locale::en, a.at, now_millis()),
                                                                a.latency_ms,
                                                                a.response,
                                                            )}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </details>
                                </td>
                                <td>
                                    <button
                                        class="button"
                                        on:click=move |_| {
                                            change.dispatch(HookChange::Replay(id.clone()));
                                        }
                                    >
                                        "Send again"
                                    </button>
                                </td>
                            </tr>
                        }
                    }
                />
            </tbody>
        </table>
    }
}
