//! The language switch on the customer's page and in the dashboard's top bar: every
//! language Baton speaks, each named in itself. The choice is remembered by this browser.

use leptos::prelude::*;
use leptos_i18n::Locale as _;

use super::browser;
use crate::domain::{language, Locale};
use crate::i18n::{t, td_string, use_i18n};

/// Where the browser remembers that its user chose a language (rather than the browser's).
const CHOSEN_KEY: &str = "baton.locale";

/// True when this browser's user picked a language themselves.
pub fn chosen() -> bool {
    browser::load(CHOSEN_KEY).is_some()
}

/// A labelled select of the languages; `on_change` runs after the page switched.
#[component]
pub fn LanguagePicker(#[prop(optional)] on_change: Option<Callback<Locale>>) -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |ev| {
        let Some(locale) = language::from_tag(&event_target_value(&ev)) else {
            return;
        };
        browser::store(CHOSEN_KEY, locale.code());
        i18n.set_locale(locale);
        if let Some(on_change) = on_change {
            on_change.run(locale);
        }
    };
    view! {
        <label class="language-picker">
            <span class="sr-only">{t!(i18n, chat.language)}</span>
            <select data-testid="language" on:change=choose>
                {Locale::get_all()
                    .iter()
                    .map(|&locale| {
                        view! {
                            <option
                                value=locale.code()
                                lang=locale.code()
                                selected=move || i18n.get_locale() == locale
                            >
                                {td_string!(locale, language_name)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
