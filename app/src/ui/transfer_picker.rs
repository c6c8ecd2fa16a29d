use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::agents::list_agents;
use crate::api::transfer::transfer;
use crate::domain::{
    Actor, Agent, AgentId, AgentOverview, Command, ConversationId, Mode, TransferTarget,
};

/// The transfer dialog: agents with their status and load; only those who can receive the
/// conversation can be picked; an optional note for them.
#[component]
pub fn TransferPicker(
    id: ConversationId,
    me: RwSignal<Agent>,
    mode: Signal<Mode>,
    on_done: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let agents = RwSignal::new(None::<Vec<AgentOverview>>);
    let error = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(None::<AgentId>);
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    spawn_local(async move {
        match list_agents().await {
            Ok(list) => agents.set(Some(list)),
            Err(err) => error.set(Some(err.to_string())),
        }
    });

    let pickable = move |overview: &AgentOverview| {
        let agent = me.get_untracked();
        let actor = Actor {
            agent: agent.id,
            role: agent.role,
        };
        let command = Command::Transfer(TransferTarget {
            agent: overview.agent.id,
            status: overview.agent.status,
            has_capacity: overview.has_capacity(),
        });
        mode.get_untracked().apply(&command, &actor).is_ok()
    };

    let confirm = move |_| {
        let Some(to) = chosen.get_untracked() else {
            return;
        };
        busy.set(true);
        let text = note.get_untracked();
        spawn_local(async move {
            match transfer(id, to, (!text.trim().is_empty()).then_some(text)).await {
                Ok(_) => on_done.run(()),
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="transfer-title">
            <h3 id="transfer-title">"Transfer to another agent"</h3>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match agents.get() {
                None => view! { <p class="muted" role="status">"Loading agents…"</p> }.into_any(),
                Some(list) => {
                    let options = list
                        .into_iter()
                        .filter(|o| o.agent.id != me.get_untracked().id)
                        .map(|o| {
                            let enabled = pickable(&o);
                            let agent_id = o.agent.id;
                            let label = format!(
                                "{} · {} · {}/{} chats",
                                o.agent.display_name,
                                o.agent.status.as_str(),
                                o.open_conversations,
                                o.agent.max_chats
                            );
                            view! {
                                <option value=agent_id.to_string() disabled=!enabled>{label}</option>
                            }
                        })
                        .collect_view();
                    view! {
                        <label for="transfer-target">"Agent"</label>
                        <select
                            id="transfer-target"
                            on:change=move |ev| chosen.set(AgentId::parse(&event_target_value(&ev)).ok())
                        >
                            <option value="" selected>"Choose an online agent…"</option>
                            {options}
                        </select>
                    }.into_any()
                }
            }}
            <label for="transfer-note">"Note for the agent (optional)"</label>
            <textarea
                id="transfer-note"
                rows="2"
                placeholder="What should they know?"
                prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))
            ></textarea>
            <div class="dialog-actions">
                <button class="button ghost" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button
                    class="button primary"
                    disabled=move || busy.get() || chosen.get().is_none()
                    on:click=confirm
                >
                    "Confirm transfer"
                </button>
            </div>
        </div>
    }
}
