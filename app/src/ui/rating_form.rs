//! The rating a customer may give after an agent closes their conversation: 1 to 5, an
//! optional comment, or skip. Asked once per close; the browser remembers the close it was
//! asked about, and the server stores one rating per close whatever the browser does.

use leptos::prelude::*;

use super::browser;
use crate::api::chat::rate_chat;
use crate::domain::analytics::MAX_COMMENT_CHARS;
use crate::domain::ConversationId;
use crate::error::ApiError;

/// The words under the scale's ends and each score's accessible name.
const SCORES: [&str; 5] = ["Very poor", "Poor", "Okay", "Good", "Excellent"];

/// Where the browser keeps the last close of conversation `id` it asked about.
fn asked_key(id: ConversationId) -> String {
    format!("baton.chat.rated.{id}")
}

/// Whether close `segment` of conversation `id` still awaits its rating in this browser.
pub fn rating_due(id: ConversationId, segment: u64) -> bool {
    browser::load(&asked_key(id)).and_then(|raw| raw.parse::<u64>().ok()) != Some(segment)
}

/// The rating form for close `segment` of conversation `id`.
#[component]
pub fn RatingForm(id: ConversationId, token: String, segment: u64) -> impl IntoView {
    let score = RwSignal::new(None::<u8>);
    let comment = RwSignal::new(String::new());
    let done = RwSignal::new(None::<&'static str>);
    let settle = move |said: &'static str| {
        browser::store(&asked_key(id), &segment.to_string());
        done.set(Some(said));
    };
    let send = Action::new_local(move |(rating, comment): &(u8, String)| {
        let (token, rating, comment) = (token.clone(), *rating, comment.clone());
        async move {
            let comment = (!comment.trim().is_empty()).then_some(comment);
            match rate_chat(id, token, rating, comment).await {
                Ok(()) => settle("Thank you for your rating."),
                Err(ApiError::Conflict { .. }) => settle("This conversation was rated already."),
                Err(err) => return Err(err),
            }
            Ok(())
        }
    });
    let (sending, outcome) = (send.pending(), send.value());

    view! {
        {move || match done.get() {
            Some(said) => {
                view! {
                    <p class="rating-done" role="status">
                        {said}
                    </p>
                }
                    .into_any()
            }
            None => {
                view! {
                    <form
                        class="card rating"
                        aria-labelledby="rating-title"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            if let Some(rating) = score.get_untracked() {
                                send.dispatch((rating, comment.get_untracked()));
                            }
                        }
                    >
                        <h2 id="rating-title">"How did we do?"</h2>
                        <fieldset class="scores">
                            <legend>"Your rating, from 1 (very poor) to 5 (excellent)"</legend>
                            {(1..=5u8)
                                .map(|n| {
                                    view! {
                                        <label
                                            class="score"
                                            class:chosen=move || score.get() == Some(n)
                                        >
                                            <input
                                                type="radio"
                                                name="rating"
                                                value=n
                                                aria-label=format!("{n}: {}", SCORES[usize::from(n) - 1])
                                                on:change=move |_| score.set(Some(n))
                                            />
                                            <span aria-hidden="true">{n}</span>
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <p class="score-ends" aria-hidden="true">
                            <span>{SCORES[0]}</span>
                            <span>{SCORES[4]}</span>
                        </p>
                        <label for="rating-comment">"Anything to add? (optional)"</label>
                        <textarea
                            id="rating-comment"
                            rows="2"
                            maxlength=MAX_COMMENT_CHARS
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))
                        ></textarea>
                        {move || {
                            outcome
                                .get()
                                .and_then(Result::err)
                                .map(|err| {
                                    view! {
                                        <p class="banner error" role="alert">
                                            {err.to_string()}
                                        </p>
                                    }
                                })
                        }}
                        <div class="rating-actions">
                            <button
                                class="button primary"
                                type="submit"
                                disabled=move || score.get().is_none() || sending.get()
                            >
                                "Send rating"
                            </button>
                            <button class="button ghost" type="button" on:click=move |_| settle("")>
                                "Skip"
                            </button>
                        </div>
                    </form>
                }
                    .into_any()
            }
        }}
    }
}
