use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::chat_panel::ChatPanel;
use super::conversation_list::ConversationList;
use crate::api::agents::set_availability;
use crate::api::auth::logout;
use crate::api::conversations::list_conversations;
use crate::domain::{Agent, Availability, Conversation, ConversationId, ListFilter};

/// How often the dashboard refreshes its list.
const REFRESH: Duration = Duration::from_millis(2_000);

/// The signed-in agent's dashboard: the conversation list on the left, the chat panel on the right.
#[component]
pub fn Dashboard(agent: Agent, on_signed_out: Callback<()>) -> impl IntoView {
    let me = RwSignal::new(agent);
    let filter = RwSignal::new(ListFilter::All);
    let conversations = RwSignal::new(None::<Vec<Conversation>>);
    let list_error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<ConversationId>);

    let refresh = move || {
        let wanted = filter.get_untracked();
        spawn_local(async move {
            match list_conversations(Some(wanted)).await {
                Ok(list) => {
                    // A slow answer for a filter no longer chosen is dropped.
                    if filter.get_untracked() == wanted {
                        conversations.set(Some(list));
                        list_error.set(None);
                    }
                }
                Err(err) => list_error.set(Some(err.to_string())),
            }
        });
    };
    Effect::new(move |_| {
        filter.track();
        refresh();
    });
    if let Ok(handle) = set_interval_with_handle(refresh, REFRESH) {
        on_cleanup(move || handle.clear());
    }

    let change_status = move |ev: leptos::ev::Event| {
        let status = match event_target_value(&ev).as_str() {
            "away" => Availability::Away,
            "offline" => Availability::Offline,
            _ => Availability::Online,
        };
        spawn_local(async move {
            if let Ok(agent) = set_availability(status).await {
                me.set(agent);
            }
        });
    };
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = logout().await;
            on_signed_out.run(());
        });
    };
    let on_select = Callback::new(move |id| selected.set(Some(id)));
    let on_changed = Callback::new(move |()| refresh());

    view! {
        <div class="dashboard">
            <header class="topbar">
                <span class="brand">"Baton"</span>
                <span class="topbar-spacer"></span>
                <label class="status-select">
                    <span class="sr-only">"Your availability"</span>
                    <select
                        aria-label="Your availability"
                        on:change=change_status
                        prop:value=move || me.get().status.as_str()
                    >
                        <option value="online">"Online"</option>
                        <option value="away">"Away"</option>
                        <option value="offline">"Offline"</option>
                    </select>
                </label>
                <span class="whoami">{move || me.get().display_name.to_string()}</span>
                <button class="button ghost" on:click=sign_out>"Sign out"</button>
            </header>
            <div class="dashboard-body">
                <ConversationList
                    me=me
                    filter=filter
                    conversations=conversations
                    error=list_error
                    selected=selected
                    on_select=on_select
                />
                <section class="panel" aria-label="Conversation">
                    {move || match selected.get() {
                        Some(id) => view! { <ChatPanel id=id me=me on_changed=on_changed /> }.into_any(),
                        None => view! {
                            <div class="empty-state">
                                <p>"Select a conversation from the list to read it."</p>
                            </div>
                        }.into_any(),
                    }}
                </section>
            </div>
        </div>
    }
}
