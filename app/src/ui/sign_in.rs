//! The agent sign-in form: e-mail and password, sent by an [`Action`] whose pending state
//! shows on the button and whose refusal shows under the fields.

use leptos::prelude::*;

use super::language_picker::LanguagePicker;
use crate::api::auth::login;
use crate::i18n::{t, use_i18n};

/// The sign-in form; `on_signed_in` runs once the server accepted the agent.
#[component]
pub fn SignIn(on_signed_in: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(move |(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move {
            let result = login(email, password).await.map(|_| ());
            if result.is_ok() {
                on_signed_in.run(());
            }
            result
        }
    });
    let (busy, refused) = (sign_in.pending(), sign_in.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            sign_in.dispatch((email.get_untracked(), password.get_untracked()));
        }
    };

    view! {
        <main class="page-center">
            <form class="card sign-in" on:submit=submit>
                <LanguagePicker />
                <h1>{t!(i18n, dash.sign_in_title)}</h1>
                <label for="email">{t!(i18n, dash.email)}</label>
                <input id="email" type="email" autocomplete="username" required bind:value=email />
                <label for="password">{t!(i18n, dash.password)}</label>
                <input
                    id="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
                {move || {
                    refused
                        .get()
                        .and_then(Result::err)
                        .map(|err| {
                            view! {
                                <p class="error" role="alert">
                                    {err.to_string()}
                                </p>
                            }
                        })
                }}
                <button class="button primary" type="submit" disabled=move || busy.get()>
                    {move || {
                        if busy.get() {
                            t!(i18n, dash.signing_in).into_any()
                        } else {
                            t!(i18n, dash.sign_in).into_any()
                        }
                    }}
                </button>
            </form>
        </main>
    }
}
