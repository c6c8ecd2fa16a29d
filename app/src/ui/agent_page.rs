//! `/agent`: asks the server who is signed in, then shows the sign-in form or the dashboard.
//! Signing in or out asks again, so the page only ever shows what the server says.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

use super::dashboard::Dashboard;
use super::sign_in::SignIn;
use crate::api::auth::me;
use crate::error::ApiError;

/// The agent page.
#[component]
pub fn AgentPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = LocalResource::new(me);
    let changed = Callback::new(move |()| session.refetch());

    move || match session.get() {
        None => view! {
            <main class="page-center">
                <p class="muted" role="status">
                    {t!(i18n, dash.loading)}
                </p>
            </main>
        }
        .into_any(),
        Some(Ok(agent)) => view! { <Dashboard agent=agent on_signed_out=changed /> }.into_any(),
        Some(Err(ApiError::Unauthorized { .. })) => {
            view! { <SignIn on_signed_in=changed /> }.into_any()
        }
        Some(Err(err)) => view! {
            <p class="banner error" role="alert">
                {err.to_string()}
            </p>
            <SignIn on_signed_in=changed />
        }
        .into_any(),
    }
}
