//! A page for some roles only (`/admin`, `/analytics`): the top bar with its title and the
//! way back to the dashboard, then the page's content for a signed-in agent whose role it
//! admits, or why not. Who may see it is the server's answer to "who am I"; the server refuses
//! the page's calls to anyone else anyway.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

use crate::api::auth::me;
use crate::domain::Role;
use crate::error::ApiError;

/// `title` in the top bar; `children` when `admits` the signed-in agent's role, else
/// `refusal`, or `sign_in` to someone not signed in.
#[component]
pub fn RolePage(
    class: &'static str,
    title: &'static str,
    admits: fn(Role) -> bool,
    refusal: &'static str,
    sign_in: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let who = LocalResource::new(me);
    let refused = |why: String| {
        view! {
            <p class="banner error" role="alert">
                {why}
            </p>
        }
        .into_any()
    };
    let i18n = use_i18n();
    view! {
        <main class=class>
            <header class="topbar">
                <span class="brand">{title}</span>
                <span class="topbar-spacer"></span>
                <a href="/agent">{t!(i18n, home.dashboard)}</a>
            </header>
            {move || match who.get() {
                None => {
                    view! {
                        <p class="muted" role="status">
                            {t!(i18n, dash.loading)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(agent)) if admits(agent.role) => children().into_any(),
                Some(Ok(_)) => refused(refusal.into()),
                Some(Err(ApiError::Unauthorized { .. })) => refused(sign_in.into()),
                Some(Err(err)) => refused(err.to_string()),
            }}
        </main>
    }
}

/// What a change made on such a page came to: `told` when it was made, the server's refusal
/// as it says it otherwise.
pub fn outcome_banner(outcome: Result<String, ApiError>) -> AnyView {
    match outcome {
        Ok(told) => view! {
            <p class="banner" role="status">
                {told}
            </p>
        }
        .into_any(),
        Err(err) => view! {
            <p class="banner error" role="alert">
                {err.to_string()}
            </p>
        }
        .into_any(),
    }
}
