//! The dashboard's top bar: the link state, the agent's availability, the admin link for
//! admins, and signing out.

use leptos::prelude::*;

use super::board::use_board;
use super::clock::use_now;
use super::format::elapsed;
use super::language_picker::LanguagePicker;
use super::live_socket::{Link, LiveSocket};
use super::session::use_me;
use crate::api::agents::{list_agents, set_availability};
use crate::api::auth::logout;
use crate::domain::{Availability, Role};
use crate::i18n::{t, t_string, td_string, use_i18n};

/// The top bar; `on_signed_out` runs once the agent signed out.
#[component]
pub fn TopBar(on_signed_out: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let link = expect_context::<LiveSocket>().link;
    let set_status = Action::new_local(move |(status, release): &(Availability, bool)| {
        let (status, release) = (*status, *release);
        async move {
            if let Ok(agent) = set_availability(status, Some(release)).await {
                me.set(agent);
            }
        }
    });
    // Stepping away while owning conversations asks whether to keep or release them.
    let asking = RwSignal::new(None::<(Availability, u32)>);
    let choose_status = Action::new_local(move |status: &Availability| {
        let status = *status;
        async move {
            let mine = match status {
                Availability::Online => 0,
                Availability::Away | Availability::Offline => list_agents()
                    .await
                    .ok()
                    .and_then(|team| {
                        team.into_iter()
                            .find(|overview| overview.agent.id == me.id())
                            .map(|overview| overview.open_conversations)
                    })
                    .unwrap_or(0),
            };
            if mine > 0 {
                asking.set(Some((status, mine)));
            } else {
                set_status.dispatch((status, false));
            }
        }
    });
    let answer = move |release: bool| {
        if let Some((status, _)) = asking.get_untracked() {
            set_status.dispatch((status, release));
        }
        asking.set(None);
    };
    let sign_out = Action::new_local(move |(): &()| async move {
        // Signed out either way: a failed call leaves a session that simply expires.
        let _ = logout().await;
        on_signed_out.run(());
    });

    let signing_out = sign_out.pending();
    let queue = use_board().queue;
    // The oldest wait grows by itself: the page's clock redraws it.
    let now = use_now();
    let queue_text = move || {
        let summary = queue.get();
        let locale = i18n.get_locale();
        match summary.oldest_since {
            Some(oldest) if summary.length > 0 => {
                let longest = elapsed(locale, oldest, now.get());
                td_string!(locale, dash.queue_waiting, count = summary.length, longest).to_string()
            }
            _ => td_string!(locale, dash.nobody_waiting).to_owned(),
        }
    };

    view! {
        <header class="topbar">
            <span class="brand">"Baton"</span>
            <Show when=move || link.get() == Link::Reconnecting>
                <span class="link-state" role="status">
                    {t!(i18n, dash.reconnecting)}
                </span>
            </Show>
            <span
                class=move || {
                    if queue.get().length > 0 { "queue-summary busy" } else { "queue-summary" }
                }
                role="status"
                aria-label=move || t_string!(i18n, dash.queue)
            >
                {queue_text}
            </span>
            <span class="topbar-spacer"></span>
            <label class="status-select">
                <span class="sr-only">{t!(i18n, dash.availability)}</span>
                <select
                    aria-label=move || t_string!(i18n, dash.availability)
                    on:change=move |ev| {
                        if let Some(status) = Availability::parse(&event_target_value(&ev)) {
                            choose_status.dispatch(status);
                        }
                    }
                    // Again when the step-away question goes: a cancel shows the status kept.
                    prop:value=move || {
                        asking.track();
                        me.get().status.as_str()
                    }
                >
                    <option value="online">{t!(i18n, dash.online)}</option>
                    <option value="away">{t!(i18n, dash.away)}</option>
                    <option value="offline">{t!(i18n, dash.offline)}</option>
                </select>
            </label>
            {move || {
                asking
                    .get()
                    .map(|(status, mine)| {
                        let locale = i18n.get_locale_untracked();
                        let going = status.label(locale).to_lowercase();
                        let title = if mine == 1 {
                            td_string!(locale, dash.step_away_one, status = going).to_string()
                        } else {
                            td_string!(locale, dash.step_away_many, status = going, count = mine)
                                .to_string()
                        };
                        view! {
                            <super::modal::Modal
                                labelled_by="step-away-title"
                                on_cancel=Callback::new(move |()| asking.set(None))
                            >
                                <h3 id="step-away-title">{title}</h3>
                                <p class="muted">{td_string!(locale, dash.step_away_text)}</p>
                                <div class="dialog-actions">
                                    <button class="button ghost" on:click=move |_| asking.set(None)>
                                        {td_string!(locale, dash.cancel)}
                                    </button>
                                    <button class="button" on:click=move |_| answer(false)>
                                        {td_string!(locale, dash.keep)}
                                    </button>
                                    <button class="button primary" on:click=move |_| answer(true)>
                                        {td_string!(locale, dash.release)}
                                    </button>
                                </div>
                            </super::modal::Modal>
                        }
                    })
            }}
            <Show when=move || me.get().role.sees_analytics()>
                <a href="/analytics">{t!(i18n, dash.analytics)}</a>
            </Show>
            <Show when=move || me.get().role.manages_team_lists()>
                <a href="/replies">{t!(i18n, dash.canned)}</a>
                <a href="/labels">{t!(i18n, labels.nav)}</a>
            </Show>
            <Show when=move || me.get().role == Role::Admin>
                <a href="/admin">{t!(i18n, dash.admin)}</a>
            </Show>
            <super::alerts::AlertMenu />
            <LanguagePicker />
            <super::theme_toggle::ThemeToggle />
            <span class="whoami">{move || me.get().display_name.to_string()}</span>
            <button
                class="button ghost"
                disabled=move || signing_out.get()
                on:click=move |_| {
                    sign_out.dispatch(());
                }
            >
                {t!(i18n, dash.sign_out)}
            </button>
        </header>
    }
}
