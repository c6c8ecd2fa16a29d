//! The HTTP surface: server functions under `/api/`, the conversations' CSV, `/health`, and
//! the SPA.

use app::api::analytics::RangeQuery;
use app::domain::analytics::{summaries_csv, summaries_file_name};
use app::error::ApiError;
use axum::body::{to_bytes, Body};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use leptos::prelude::provide_context;
use tower::Layer as _;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::guard::{cross_origin, error_response, origin_allowed};
use crate::state::AppState;

/// The largest request body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let dist = state.config.dist.clone();
    // The SPA's files go out compressed to browsers that accept it (the WASM shrinks to a
    // third with gzip, a quarter with brotli): the `.br` and `.gz` copies the build writes as
    // they are, anything else gzip-compressed on the fly. The API and the sockets are not
    // compressed.
    let spa = tower_http::compression::CompressionLayer::new().layer(
        ServeDir::new(&dist)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(ServeFile::new(dist.join("index.html"))),
    );
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
        .route(
            app::api::analytics::CONVERSATIONS_CSV,
            get(conversations_csv),
        )
        .route(
            app::domain::attachment::CUSTOMER_UPLOAD_PATH,
            post(crate::files::customer_upload)
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD_BYTES)),
        )
        .route(
            app::domain::attachment::AGENT_UPLOAD_PATH,
            post(crate::files::agent_upload)
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD_BYTES)),
        )
        .route(app::domain::attachment::FILE_PATH, get(crate::files::serve))
        .route("/api/{*fn_name}", post(server_fn))
        .route("/ws", get(crate::realtime::agent_socket))
        .route("/ws/chat", get(crate::realtime::customer_socket))
        .route("/chat", get(crate::widget::chat_page))
        .route("/chat/embed", get(crate::widget::embed_page))
        .route("/widget/status", get(crate::widget::status))
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::guard::edge,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Liveness: the process answers. `degraded` while the database is out of reach (the
/// process itself need not be restarted for that).
async fn health(State(state): State<AppState>) -> Response {
    match state.services.store.check().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(err) => {
            tracing::warn!(%err, "health check: database out of reach or not writable");
            Json(serde_json::json!({ "status": "degraded", "database": "unreachable" }))
                .into_response()
        }
    }
}

/// The API's OpenAPI 3.1 document.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app::api::openapi::json(),
    )
        .into_response()
}

/// The conversations started in a range, as a CSV file to download: the report's range in
/// the query string, the report's rules for who may read it.
async fn conversations_csv(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Response {
    let export = async {
        let Query(query) = query.map_err(|_| {
            ApiError::bad_input(
                "Give the range as `from` and `to` (ms since the epoch) and, if you like, \
                 `utc_offset_minutes`",
            )
        })?;
        let range = query.range()?;
        let rows = app::backend::analytics::conversations(&state.services, &headers, range).await?;
        Ok::<_, ApiError>((summaries_file_name(&range), summaries_csv(&rows)))
    };
    match export.await {
        Ok((file_name, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(error) => error_response(&error),
    }
}

/// Prometheus metrics on the main address: only with `--metrics-token`, to requests that
/// carry it as a bearer token.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return error_response(&ApiError::not_found(
            "Metrics are off here: start Baton with --metrics-token, or read them on --metrics-addr",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(given, token) {
        let mut refused = error_response(&ApiError::Unauthorized {
            message: "Metrics need `Authorization: Bearer <the --metrics-token>`".into(),
        });
        refused
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return refused;
    }
    exposition(&state).await
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0_u8, |diff, (x, y)| diff | (x ^ y))
        == 0
}

/// The text exposition.
async fn exposition(state: &AppState) -> Response {
    let text = crate::metrics::get()
        .render(state.services.store.as_ref())
        .await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `/metrics` alone, without a token, for `--metrics-addr`.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { exposition(&state).await }),
        )
        .with_state(state)
}

/// Readiness, for load balancers: 200 while this node can serve; 503 while its database is
/// out of reach or it is shutting down.
async fn ready(State(state): State<AppState>) -> Response {
    if state.hub.is_closing() {
        let body = serde_json::json!({ "ready": false, "reason": "shutting down" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    match state.services.store.check().await {
        Ok(()) => Json(serde_json::json!({ "ready": true })).into_response(),
        Err(_) => {
            let body = serde_json::json!({ "ready": false, "reason": "database unreachable" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// Runs a server function with the services in its context, after checking the caller's
/// origin; then gives its error (if any) the HTTP status of its kind.
async fn server_fn(State(state): State<AppState>, request: Request) -> Response {
    if request.method() == Method::POST && !origin_allowed(request.headers(), &state.config) {
        tracing::warn!(origin = ?request.headers().get(header::ORIGIN), "cross-origin call refused");
        return cross_origin();
    }
    if !state.api_paths.contains(request.uri().path()) {
        return error_response(&ApiError::not_found(
            "There is no such API call. The API is listed in the README",
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
        crate::guard::set_retry_after(&mut parts.headers, error);
    }
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// The paths of every registered server function.
pub fn api_paths() -> std::collections::HashSet<String> {
    server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect()
}
