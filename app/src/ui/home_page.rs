//! `/`: the landing page that sends agents to the dashboard and customers to the chat.

use leptos::prelude::*;

/// The landing page: where agents and customers go.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <main class="page-center home">
            <h1 class="brand">"Baton"</h1>
            <p class="lead">"AI answers first. People step in when it matters."</p>
            <nav class="home-links" aria-label="Start">
                <a class="button primary" href="/agent">
                    "Agent dashboard"
                </a>
                <a class="button" href="/chat">
                    "Chat with us"
                </a>
            </nav>
        </main>
    }
}
