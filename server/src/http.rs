//! The HTTP surface: server functions under `/api/`, `/health`, and the SPA.

use std::sync::Arc;

use app::backend::Services;
use app::error::ApiError;
use axum::body::{to_bytes, Body};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::hub::Hub;

/// The largest request body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub hub: Arc<Hub>,
    pub config: Arc<Config>,
    /// The PostgreSQL listener task, stopped with the server.
    pub background: Option<Arc<tokio::task::AbortHandle>>,
    /// With PostgreSQL: the listener connection's `application_name`.
    pub listener_name: Option<String>,
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let dist = state.config.dist.clone();
    let spa = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/health", get(health))
        .route("/api/{*fn_name}", post(server_fn))
        .route("/ws", get(crate::realtime::agent_socket))
        .route("/ws/chat", get(crate::realtime::customer_socket))
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> Response {
    match state.services.store.agent_count().await {
        Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(err) => {
            tracing::error!(%err, "health check: store unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "store unavailable" })),
            )
                .into_response()
        }
    }
}

/// Runs a server function with the services in its context, after checking the caller's
/// origin; then gives its error (if any) the HTTP status of its kind.
async fn server_fn(State(state): State<AppState>, request: Request) -> Response {
    if request.method() == Method::POST && !origin_allowed(request.headers(), &state.config) {
        tracing::warn!(origin = ?request.headers().get(header::ORIGIN), "cross-origin call refused");
        return error_response(&ApiError::forbidden(
            "This request came from another site and was refused",
        ));
    }
    let services = state.services.clone();
    let response = leptos_axum::handle_server_fns_with_context(
        move || provide_context(services.clone()),
        request,
    )
    .await
    .into_response();
    with_error_status(response).await
}

/// A state-changing call must come from Baton's own pages: its `Origin` (when the browser
/// sends one) must be the configured public origin, or else the request's own host.
pub fn origin_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser's cross-site request (curl, integrations).
        return true;
    };
    if let Some(public) = &config.public_origin {
        return origin.trim_end_matches('/') == public.trim_end_matches('/');
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(a), Some(b)) if a == b)
}

/// Server functions answer every error with 500; the body's `kind` says what it really is.
async fn with_error_status(response: Response) -> Response {
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return error_response(&ApiError::internal());
    };
    let error: Option<ApiError> = serde_json::from_slice(&bytes).ok();
    if let Some(error) = &error {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let ApiError::RateLimited {
            retry_after_secs, ..
        } = error
        {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
    }
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// An [`ApiError`] as a response, outside of a server function.
pub fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        headers
    }

    #[test]
    fn same_host_origins_and_originless_calls_pass() {
        let config = Config::defaults();
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000"), &config));
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &config
        ));
    }

    #[test]
    fn other_origins_are_refused() {
        let config = Config::defaults();
        assert!(!origin_allowed(
            &headers(Some("https://evil.example"), "127.0.0.1:3000"),
            &config
        ));
        let config = Config {
            public_origin: Some("https://chat.example.com".into()),
            ..Config::defaults()
        };
        assert!(origin_allowed(
            &headers(Some("https://chat.example.com"), "10.0.0.5:3000"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &config
        ));
    }
}
