//! The edge: what every request passes before any handler sees it.
//!
//! - The `Host` must be one Baton answers to (a DNS-rebinding page names its own host).
//! - The caller's network address: the TCP peer, or, when that peer is a configured trusted
//!   proxy, the client it names in `X-Forwarded-For` / `Forwarded`. Rate limits key on it.
//! - State-changing calls and socket handshakes must come from Baton's own origin.
//! - Every response carries the security headers (CSP, nosniff, referrer policy, framing).
//!
//! A refusal here is the same JSON body as any API error ([`error_response`]).

use std::net::{IpAddr, SocketAddr};

use app::backend::auth::ClientAddress;
use app::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ipnet::IpNet;

use crate::config::Config;
use crate::state::AppState;

/// Host names every deployment answers to, whatever its public origin.
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// An [`ApiError`] as a response, outside of a server function.
pub fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error)).into_response()
}

/// Tells the client when to try again, for the errors that say to come back later.
pub fn set_retry_after(headers: &mut HeaderMap, error: &ApiError) {
    if let ApiError::RateLimited {
        retry_after_secs, ..
    }
    | ApiError::Unavailable {
        retry_after_secs, ..
    } = error
    {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
}

/// The refusal of a call from another site.
pub fn cross_origin() -> Response {
    error_response(&ApiError::forbidden(
        "This request came from another site and was refused",
    ))
}

/// Marks a response that goes out with a policy of its own instead of the SPA's (a served
/// file: it may show itself and run nothing).
#[derive(Clone)]
pub struct OwnPolicy(pub std::sync::Arc<str>);

/// Checks the `Host`, records the caller's address, and adds the security headers.
pub async fn edge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let health = request.uri().path() == "/health";
    if !health && !host_allowed(request.headers(), &state.config) {
        tracing::warn!(host = ?request.headers().get(header::HOST), "request for an unknown host refused");
        return error_response(&ApiError::bad_input(
            "This server does not answer to that host name",
        ));
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let client = client_ip(peer, request.headers(), &state.config.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
    let mut response = next.run(request).await;
    let framable = response
        .extensions()
        .get::<crate::widget::FramePolicy>()
        .map(|policy| policy.0.clone());
    let own = response.extensions().get::<OwnPolicy>().cloned();
    match (framable, own) {
        (Some(policy), _) => security_headers(response.headers_mut(), &policy, None),
        (None, Some(OwnPolicy(policy))) => {
            security_headers(response.headers_mut(), &policy, Some("SAMEORIGIN"))
        }
        (None, None) => security_headers(response.headers_mut(), &state.csp, Some("DENY")),
    }
    response
}

/// True when `Host` names this server: the public origin's host, a configured extra host,
/// the listening address, or loopback.
pub fn host_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        // HTTP/1.0 without Host: nothing for a rebinding page to abuse.
        return true;
    };
    let name = host_name(host);
    let public = config
        .public_origin
        .as_deref()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, rest)| host_name(rest.trim_end_matches('/')));
    LOOPBACK_HOSTS.contains(&name)
        || public == Some(name)
        || config.addr.ip().to_string() == name.trim_matches(['[', ']'])
        || config
            .allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(name))
}

/// `example.com:3000` → `example.com`; `[::1]:3000` → `[::1]`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

/// A state-changing call must come from Baton's own pages: its `Origin` (when the browser
/// sends one) must be the configured public origin, or else the request's own (allowed) host.
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
    matches!((origin_host, host), (Some(a), Some(b)) if a == b) && host_allowed(headers, config)
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (or `Forwarded: for=`) that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut chain: Vec<IpAddr> = forwarded_for(headers);
    // Rightmost first: each proxy appends the address it received the request from.
    while let Some(hop) = chain.pop() {
        if !is_trusted(&hop) {
            return hop;
        }
    }
    peer
}

/// Every address the forwarding headers name, leftmost (the original client) first.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let standard: Vec<IpAddr> = headers
        .get_all(header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| name.eq_ignore_ascii_case("for"))
        .filter_map(|(_, value)| parse_node(value))
        .collect();
    if !standard.is_empty() {
        return standard;
    }
    headers
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_node)
        .collect()
}

/// `203.0.113.7`, `"[2001:db8::1]:4711"`, `198.51.100.2:80` → the address.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(ip) = raw.parse() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

/// The Content-Security-Policy for a SPA whose inline loader scripts are `inline_scripts`:
/// scripts only from Baton itself (the loader by its hash, WebAssembly compiled by the
/// page), no plugins, and no other site may frame Baton's pages.
pub fn content_security_policy(inline_scripts: &[String]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hashes: String = inline_scripts
        .iter()
        .map(|script| {
            let digest = sha2::Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The inline `<script>` bodies of an HTML page (Trunk's loader), for their CSP hashes.
pub fn inline_scripts(html: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let body_and_more = &rest[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            scripts.push(body_and_more[..close].to_owned());
        }
        rest = &body_and_more[close..];
    }
    scripts
}

/// The headers of every response; `frame_options` is `None` on the one page other sites may
/// frame (its policy's `frame-ancestors` says which).
fn security_headers(headers: &mut HeaderMap, csp: &str, frame_options: Option<&str>) {
    let pairs = [
        (header::CONTENT_SECURITY_POLICY, Some(csp)),
        (header::X_CONTENT_TYPE_OPTIONS, Some("nosniff")),
        (header::REFERRER_POLICY, Some("no-referrer")),
        (header::X_FRAME_OPTIONS, frame_options),
    ];
    for (name, value) in pairs.into_iter().filter_map(|(n, v)| Some((n, v?))) {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn same_host_origins_and_originless_calls_pass() {
        let config = Config::defaults();
        assert!(origin_allowed(
            &headers(&[("host", "127.0.0.1:3000")]),
            &config
        ));
        assert!(origin_allowed(
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000")
            ]),
            &config
        ));
    }

    #[test]
    fn other_origins_are_refused() {
        let config = Config::defaults();
        assert!(!origin_allowed(
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "https://evil.example")
            ]),
            &config
        ));
        let config = Config {
            public_origin: Some("https://chat.example.com".into()),
            ..Config::defaults()
        };
        assert!(origin_allowed(
            &headers(&[
                ("host", "10.0.0.5:3000"),
                ("origin", "https://chat.example.com")
            ]),
            &config
        ));
        assert!(!origin_allowed(
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000")
            ]),
            &config
        ));
    }

    #[test]
    fn a_rebinding_page_whose_origin_matches_its_own_host_is_refused() {
        let config = Config::defaults();
        let rebound = headers(&[
            ("host", "attacker.example:3000"),
            ("origin", "http://attacker.example:3000"),
        ]);
        assert!(!host_allowed(&rebound, &config));
        assert!(!origin_allowed(&rebound, &config));
        let config = Config {
            allowed_hosts: vec!["chat.internal".into()],
            ..Config::defaults()
        };
        assert!(host_allowed(
            &headers(&[("host", "chat.internal:3000")]),
            &config
        ));
        assert!(host_allowed(&headers(&[("host", "[::1]:3000")]), &config));
    }

    #[test]
    fn forwarding_headers_count_only_when_the_peer_is_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = vec!["10.0.0.0/8".parse::<IpNet>().unwrap()];
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.7")]);

        assert_eq!(
            client_ip(proxy, &forwarded, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "the nearest untrusted hop"
        );
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(
            client_ip(stranger, &forwarded, &trusted),
            stranger,
            "spoofed header ignored"
        );
        assert_eq!(
            client_ip(proxy, &forwarded, &[]),
            proxy,
            "no trusted proxies configured"
        );
    }

    #[test]
    fn the_standard_forwarded_header_is_read_too() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let trusted = vec!["127.0.0.1/32".parse::<IpNet>().unwrap()];
        let forwarded = headers(&[(
            "forwarded",
            "for=\"[2001:db8::7]:4711\";proto=https, for=127.0.0.1",
        )]);
        assert_eq!(
            client_ip(proxy, &forwarded, &trusted),
            "2001:db8::7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn the_policy_allows_exactly_the_pages_own_inline_loader() {
        let html = r#"<html><head><script type="module">import init from '/app.js'; init();</script>
            <script src="/x.js"></script></head></html>"#;
        let scripts = inline_scripts(html);
        assert_eq!(
            scripts,
            vec!["import init from '/app.js'; init();".to_owned()]
        );
        let csp = content_security_policy(&scripts);
        assert!(csp.contains("'sha256-"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(
            !csp.contains(" 'unsafe-eval'"),
            "only wasm-unsafe-eval: {csp}"
        );
    }

    #[test]
    fn a_spoofed_leftmost_address_does_not_win_over_the_proxys_own_entry() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = vec!["10.0.0.0/8".parse::<IpNet>().unwrap()];
        // The client sent "1.2.3.4" itself; the proxy appended the real peer.
        let forwarded = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.23")]);
        assert_eq!(
            client_ip(proxy, &forwarded, &trusted),
            "198.51.100.23".parse::<IpAddr>().unwrap()
        );
    }
}
