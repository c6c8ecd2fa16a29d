//! How data that comes from the server shows while it is on its way or when it could not be
//! had: a status line saying what is loading, or an alert with the error; otherwise the view
//! the caller builds from it.

use leptos::prelude::*;

use crate::error::ApiError;

/// `value` as a resource holds it: `None` while loading (shown as `loading`), the error, or
/// the view `ready` builds.
pub fn loaded<T>(
    value: Option<Result<T, ApiError>>,
    loading: &'static str,
    ready: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match value {
        None => view! {
            <p class="muted" role="status">
                {loading}
            </p>
        }
        .into_any(),
        Some(Err(err)) => view! {
            <p class="error" role="alert">
                {err.to_string()}
            </p>
        }
        .into_any(),
        Some(Ok(value)) => ready(value),
    }
}
