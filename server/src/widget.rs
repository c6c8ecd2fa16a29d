//! The chat on a company's own website: `widget.js` (a static file of the SPA) adds a
//! launcher to the host page, which opens `/chat/embed` (the customer page in its embed mode)
//! in an iframe of Baton's own origin.
//!
//! Only the origins given with `--widget-origins` may frame that page: its
//! `Content-Security-Policy` names exactly them in `frame-ancestors` (every other page keeps
//! `frame-ancestors 'none'`). None given: the widget is off, and `/widget/status` says so, so
//! `widget.js` can tell the host page's developer in the console.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::guard::error_response;
use crate::state::AppState;

/// The longest origin accepted in `--widget-origins`.
const MAX_ORIGIN_LEN: usize = 253 + 16;

/// Reads one `--widget-origins` entry: `https://shop.example` or `http://host:port`, nothing
/// after the host and port (no path, query, wildcard or credentials), as browsers send it in
/// `Origin` (lower-case, no default port).
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let refuse = || {
        format!(
            "`{raw}` is not an origin: give the scheme, host and port only, e.g. \
             `https://shop.example` or `http://127.0.0.1:8080`"
        )
    };
    if raw.len() > MAX_ORIGIN_LEN {
        return Err(refuse());
    }
    let lower = raw.trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(refuse)?;
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return Err(refuse()),
    };
    let (host, port) = if rest.starts_with('[') {
        let close = rest.find(']').ok_or_else(refuse)? + 1;
        match &rest[close..] {
            "" => (&rest[..close], None),
            after => (
                &rest[..close],
                Some(after.strip_prefix(':').ok_or_else(refuse)?),
            ),
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            && !host.starts_with(['.', '-'])
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok_and(|n| n > 0));
    if !host_ok || !port_ok {
        return Err(refuse());
    }
    Ok(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The embed page's policy: Baton's own, with `frame-ancestors` naming exactly `origins`
/// (`'none'` when there are none).
pub fn embed_policy(csp: &str, origins: &[String]) -> String {
    let ancestors = if origins.is_empty() {
        "'none'".to_owned()
    } else {
        origins.join(" ")
    };
    csp.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors {ancestors}"),
    )
}

/// Marks a response whose page other sites may frame: the edge sends this policy instead of
/// the default one, and no `X-Frame-Options`.
#[derive(Clone)]
pub struct FramePolicy(pub std::sync::Arc<str>);

/// `/chat/embed`: the customer's page as read at start (its loader's hash is in the policy),
/// framable by the widget's origins only.
pub async fn embed_page(State(state): State<AppState>) -> Response {
    let mut response = chat_page(State(state.clone())).await;
    response
        .extensions_mut()
        .insert(FramePolicy(state.embed_csp.clone()));
    response
}

/// `/chat`: the customer's page, which loads the customer's own bundle.
pub async fn chat_page(State(state): State<AppState>) -> Response {
    if state.chat_page.is_empty() {
        tracing::error!(dist = %state.config.dist.display(), "the SPA is not built: no index.html");
        return error_response(&app::error::ApiError::unavailable());
    }
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        state.chat_page.to_string(),
    )
        .into_response()
}

/// `/widget/status`: whether the widget may run on the calling page's origin. Readable from
/// any origin (it says nothing secret), so `widget.js` can explain a refusal in the console.
pub async fn status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origins = &state.config.widget_origins;
    let caller = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_origin(value).ok());
    let allowed = caller.is_some_and(|caller| origins.contains(&caller));
    let mut response = Json(serde_json::json!({
        "enabled": !origins.is_empty(),
        "allowed": allowed,
    }))
    .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        assert_eq!(
            parse_origin("https://Shop.Example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            parse_origin("https://shop.example:443").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
        for refused in [
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/path",
            "https://*.shop.example",
            "https://user@shop.example",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop.example?x=1",
            "https://",
            "*",
        ] {
            assert!(parse_origin(refused).is_err(), "{refused} was accepted");
        }
    }

    #[test]
    fn the_embed_policy_names_exactly_the_widget_origins() {
        let csp = "default-src 'self'; frame-ancestors 'none'";
        assert_eq!(
            embed_policy(
                csp,
                &["https://a.example".into(), "https://b.example".into()]
            ),
            "default-src 'self'; frame-ancestors https://a.example https://b.example"
        );
        assert_eq!(embed_policy(csp, &[]), csp);
    }
}
