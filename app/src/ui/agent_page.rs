use leptos::prelude::*;
use leptos::task::spawn_local;

use super::dashboard::Dashboard;
use super::sign_in::SignIn;
use crate::api::auth::me;
use crate::domain::Agent;
use crate::error::ApiError;

/// `/agent`: the sign-in form, or the dashboard once signed in.
#[component]
pub fn AgentPage() -> impl IntoView {
    // None: still asking the server who is signed in.
    let session = RwSignal::new(None::<Option<Agent>>);
    let problem = RwSignal::new(None::<String>);
    spawn_local(async move {
        match me().await {
            Ok(agent) => session.set(Some(Some(agent))),
            Err(ApiError::Unauthorized { .. }) => session.set(Some(None)),
            Err(err) => {
                problem.set(Some(err.to_string()));
                session.set(Some(None));
            }
        }
    });
    let signed_in = Callback::new(move |agent: Agent| session.set(Some(Some(agent))));
    let signed_out = Callback::new(move |()| session.set(Some(None)));

    view! {
        {move || problem.get().map(|p| view! { <p class="banner error" role="alert">{p}</p> })}
        {move || match session.get() {
            None => view! { <main class="page-center"><p class="muted" role="status">"Loading…"</p></main> }.into_any(),
            Some(None) => view! { <SignIn on_signed_in=signed_in /> }.into_any(),
            Some(Some(agent)) => view! { <Dashboard agent=agent on_signed_out=signed_out /> }.into_any(),
        }}
    }
}
