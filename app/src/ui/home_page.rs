//! `/`: the landing page that sends agents to the dashboard and customers to the chat.

use leptos::prelude::*;

use super::language_picker::LanguagePicker;
use crate::i18n::{t, t_string, use_i18n};

/// The landing page: where agents and customers go.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="page-center home">
            <LanguagePicker />
            <h1 class="brand">"Baton"</h1>
            <p class="lead">{t!(i18n, home.tagline)}</p>
            <nav class="home-links" aria-label=move || t_string!(i18n, home.start)>
                <a class="button primary" href="/agent">
                    {t!(i18n, home.agents)}
                </a>
                <a class="button" href="/chat">
                    {t!(i18n, home.customers)}
                </a>
            </nav>
        </main>
    }
}
