//! The rating a customer may give after an agent closes their conversation: 1 to 5, an
//! optional comment, or skip. Asked once per close; the browser remembers the close it was
//! asked about, and the server stores one rating per close whatever the browser does.

use leptos::prelude::*;

use super::browser;
use crate::api::chat::rate_chat;
use crate::domain::analytics::MAX_COMMENT_CHARS;
use crate::domain::ConversationId;
use crate::error::ApiError;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// Score `n`'s word (1 "Very poor" … 5 "Excellent"): under the scale's ends and each score's
/// accessible name.
fn score_word(locale: Locale, n: u8) -> &'static str {
    match n {
        1 => td_string!(locale, rating.very_poor),
        2 => td_string!(locale, rating.poor),
        3 => td_string!(locale, rating.okay),
        4 => td_string!(locale, rating.good),
        _ => td_string!(locale, rating.excellent),
    }
}

/// What the form says once settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    Rated,
    RatedAlready,
    Skipped,
}

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
    let i18n = use_i18n();
    let done = RwSignal::new(None::<Settled>);
    let settle = move |said: Settled| {
        browser::store(&asked_key(id), &segment.to_string());
        done.set(Some(said));
    };
    let send = Action::new_local(move |(rating, comment): &(u8, String)| {
        let (token, rating, comment) = (token.clone(), *rating, comment.clone());
        async move {
            let comment = (!comment.trim().is_empty()).then_some(comment);
            match rate_chat(id, token, rating, comment).await {
                Ok(()) => settle(Settled::Rated),
                Err(ApiError::Conflict { .. }) => settle(Settled::RatedAlready),
                Err(err) => return Err(err),
            }
            Ok(())
        }
    });
    let (sending, outcome) = (send.pending(), send.value());

    view! {
        {move || match done.get() {
            Some(said) => {
                let locale = i18n.get_locale();
                let said = match said {
                    Settled::Rated => td_string!(locale, rating.thanks),
                    Settled::RatedAlready => td_string!(locale, rating.already),
                    Settled::Skipped => "",
                };
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
                        <h2 id="rating-title">{t!(i18n, rating.title)}</h2>
                        <fieldset class="scores">
                            <legend>{t!(i18n, rating.legend)}</legend>
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
                                                aria-label=move || {
                                                    format!("{n}: {}", score_word(i18n.get_locale(), n))
                                                }
                                                on:change=move |_| score.set(Some(n))
                                            />
                                            <span aria-hidden="true">{n}</span>
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <p class="score-ends" aria-hidden="true">
                            <span>{move || score_word(i18n.get_locale(), 1)}</span>
                            <span>{move || score_word(i18n.get_locale(), 5)}</span>
                        </p>
                        <label for="rating-comment">{t!(i18n, rating.comment)}</label>
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
                                {t!(i18n, rating.send)}
                            </button>
                            <button
                                class="button ghost"
                                type="button"
                                on:click=move |_| settle(Settled::Skipped)
                            >
                                {t!(i18n, rating.skip)}
                            </button>
                        </div>
                    </form>
                }
                    .into_any()
            }
        }}
    }
}
