//! The transfer dialog: the team with status and load, where only agents who can receive the
//! conversation (the rule book's answer for a transfer to them) can be picked, and a note.

use leptos::prelude::*;

use super::confirm_dialog::ConfirmDialog;
use super::loaded::loaded;
use super::session::use_me;
use crate::api::agents::list_agents;
use crate::domain::{AgentId, AgentOverview, Command, Locale, Mode, TransferTarget};
use crate::i18n::{td_string, use_i18n};

/// How the picker names an agent: "Budi Santoso · online · 1/5 chats".
fn label(locale: Locale, overview: &AgentOverview) -> String {
    let status = overview.agent.status.label(locale);
    td_string!(
        locale,
        dash.agent_line,
        name = overview.agent.display_name.as_str(),
        status = status.to_lowercase(),
        open = overview.open_conversations,
        max = overview.agent.max_chats
    )
    .to_string()
}

/// Asks whom to transfer a conversation in `mode` to, with an optional note for them.
#[component]
pub fn TransferPicker(
    mode: Signal<Mode>,
    on_confirm: Callback<(AgentId, Option<String>)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let me = use_me();
    let l = use_i18n().get_locale_untracked();
    let agents = LocalResource::new(list_agents);
    let chosen = RwSignal::new(None::<AgentId>);
    let pickable = move |overview: &AgentOverview| {
        let command = Command::Transfer(TransferTarget {
            agent: overview.agent.id,
            status: overview.agent.status,
            has_capacity: overview.has_capacity(),
        });
        me.may(mode.get_untracked(), &command)
    };
    let options = move || {
        agents.get().map(|loaded| {
            loaded.map(|list| {
                list.iter()
                    .filter(|o| o.agent.id != me.id())
                    .map(|o| {
                        view! {
                            <option value=o.agent.id.to_string() disabled=!pickable(o)>
                                {label(l, o)}
                            </option>
                        }
                    })
                    .collect_view()
            })
        })
    };

    view! {
        <ConfirmDialog
            title=td_string!(l, dash.transfer_title)
            field="transfer-note"
            label=td_string!(l, dash.note_label)
            placeholder=td_string!(l, dash.note_placeholder)
            confirm=td_string!(l, dash.transfer_confirm)
            ready=Signal::derive(move || chosen.get().is_some())
            on_confirm=Callback::new(move |note| {
                if let Some(to) = chosen.get_untracked() {
                    on_confirm.run((to, note));
                }
            })
            on_cancel=on_cancel
        >
            {move || {
                loaded(
                    options(),
                    td_string!(l, dash.loading_agents),
                    |options| {
                        view! {
                            <label for="transfer-target">{td_string!(l, dash.agent)}</label>
                            <select
                                id="transfer-target"
                                on:change=move |ev| {
                                    chosen.set(AgentId::parse(&event_target_value(&ev)).ok())
                                }
                            >
                                <option value="" selected>
                                    {td_string!(l, dash.choose_agent)}
                                </option>
                                {options}
                            </select>
                        }
                            .into_any()
                    },
                )
            }}
        </ConfirmDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Agent, Availability, DisplayName, Email, Role};

    #[test]
    fn an_agent_is_named_with_status_and_load() {
        let overview = AgentOverview {
            agent: Agent {
                id: AgentId::new(),
                email: Email::parse("budi@baton.dev").unwrap(),
                display_name: DisplayName::parse("Budi Santoso").unwrap(),
                role: Role::Agent,
                status: Availability::Online,
                max_chats: 5,
            },
            open_conversations: 1,
            connected: true,
            last_assigned_at: None,
        };
        assert_eq!(
            label(Locale::en, &overview),
            "Budi Santoso · online · 1/5 chats"
        );
        assert_eq!(
            label(Locale::id, &overview),
            "Budi Santoso · online · 1/5 chat"
        );
    }
}
