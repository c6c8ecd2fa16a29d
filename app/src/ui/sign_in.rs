use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::login;
use crate::domain::Agent;

/// The agent sign-in form.
#[component]
pub fn SignIn(on_signed_in: Callback<Agent>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match login(email.get_untracked(), password.get_untracked()).await {
                Ok(agent) => on_signed_in.run(agent),
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="page-center">
            <form class="card sign-in" on:submit=submit>
                <h1>"Sign in to Baton"</h1>
                <label for="email">"E-mail"</label>
                <input
                    id="email"
                    type="email"
                    autocomplete="username"
                    required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button class="button primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
