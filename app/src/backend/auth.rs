//! Who is calling: argon2id password hashing, agent session cookies, customer tokens
//! (stored hashed, compared in constant time) and the caller's network address.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Services;
use crate::domain::{language, Agent, Conversation, ConversationId, Locale};
use crate::error::ApiError;

/// The agent session cookie.
pub const SESSION_COOKIE: &str = "baton_session";

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| {
            tracing::error!(%err, "password hashing failed");
            ApiError::internal()
        })
}

/// Password checks running at once: argon2 is meant to be slow, so it runs on the blocking
/// pool, at most this many at a time per CPU, and never on the async workers.
const CHECKS_PER_CPU: usize = 2;
/// How long a sign-in waits for a free password check before it is told to retry.
const CHECK_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

fn password_checks() -> &'static tokio::sync::Semaphore {
    static CHECKS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cpus * CHECKS_PER_CPU)
    })
}

/// Checks `password` against `hash` (or against nobody's hash, when `hash` is `None`, so an
/// unknown address takes as long as a wrong password) on the blocking pool, within the
/// global budget of concurrent checks. A sign-in that cannot get a check in time is told
/// to retry; the server's other work never waits for argon2.
pub async fn check_password(hash: Option<String>, password: String) -> Result<bool, ApiError> {
    let busy = || ApiError::RateLimited {
        message: "Many people are signing in right now. Please try again in a few seconds.".into(),
        retry_after_secs: 5,
    };
    let _permit = tokio::time::timeout(CHECK_QUEUE_WAIT, password_checks().acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            verify_against_nobody(&password);
            false
        }
    })
    .await
    .map_err(|err| {
        tracing::error!(%err, "password check failed");
        ApiError::internal()
    })
}

/// True when `password` matches the stored argon2 `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one password check against a hash nobody has, so a sign-in with an
/// unknown address takes as long as one with a wrong password.
pub fn verify_against_nobody(password: &str) {
    static NOBODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = NOBODY.get_or_init(|| {
        hash_password(&hex::encode(rand::random::<[u8; 16]>())).unwrap_or_default()
    });
    let _ = verify_password(hash, password);
}

/// A fresh unguessable token (256 random bits, hex) and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token: SHA-256, hex. Tokens are random, so no salt is needed.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two equal-length strings in time independent of where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The request's headers.
fn request_parts() -> Result<http::request::Parts, ApiError> {
    leptos::prelude::use_context::<http::request::Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server-function context");
        ApiError::internal()
    })
}

/// The caller's network address as the server's edge resolved it: the TCP peer, or the
/// client a trusted proxy names. Rate limits key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The caller's network address, for per-address limits and the audit log.
pub fn client_address() -> String {
    request_parts()
        .ok()
        .and_then(|parts| {
            let resolved = parts.extensions.get::<ClientAddress>().map(|a| a.0);
            let peer = || {
                parts
                    .extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|info| info.0.ip())
            };
            resolved.or_else(peer)
        })
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

/// The device the request's `User-Agent` header describes ("Chrome on Android"), if any.
pub fn browser_device() -> Option<String> {
    let parts = request_parts().ok()?;
    let header = parts.headers.get(http::header::USER_AGENT)?.to_str().ok()?;
    crate::domain::contact::device_of(header)
}

/// The language the request's `Accept-Language` header prefers among Baton's (English when
/// there is none).
pub fn browser_locale() -> Locale {
    request_parts()
        .ok()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)?
                .to_str()
                .ok()
                .map(language::negotiate)
        })
        .unwrap_or_default()
}

/// The value of the session cookie among `headers`, if any.
pub fn session_token_in(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The value of the session cookie on the current request, if any.
fn session_token() -> Result<Option<String>, ApiError> {
    Ok(session_token_in(&request_parts()?.headers))
}

/// The signed-in agent of the current request, or 401.
pub async fn current_agent(services: &Services) -> Result<Agent, ApiError> {
    agent_from_headers(services, &request_parts()?.headers).await
}

/// The agent whose session cookie is among `headers` (e.g. a WebSocket handshake), or 401.
pub async fn agent_from_headers(
    services: &Services,
    headers: &http::HeaderMap,
) -> Result<Agent, ApiError> {
    let token =
        session_token_in(headers).ok_or_else(|| ApiError::unauthorized("Please sign in first"))?;
    let agent = services
        .store
        .session_agent(&hash_token(&token), services.now())
        .await?
        .ok_or_else(|| ApiError::unauthorized("Your session has ended. Please sign in again"))?;
    services.presence.touch(agent.id);
    Ok(agent)
}

/// Starts a session for `agent` and sets its cookie on the response.
pub async fn start_session(services: &Services, agent: &Agent) -> Result<(), ApiError> {
    let (token, hash) = new_token();
    let now = services.now();
    let expires = crate::domain::Timestamp(now.millis() + services.session_ttl_secs * 1000);
    services
        .store
        .create_session(&hash, agent.id, now, expires)
        .await?;
    services.presence.touch(agent.id);
    set_cookie(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        services.session_ttl_secs,
        if services.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    ))
}

/// Ends the current session, if any, and clears its cookie.
pub async fn end_session(services: &Services) -> Result<(), ApiError> {
    if let Some(token) = session_token()? {
        services.store.delete_session(&hash_token(&token)).await?;
    }
    set_cookie(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
}

fn set_cookie(cookie: &str) -> Result<(), ApiError> {
    let response =
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| {
            tracing::error!("response options missing from the server-function context");
            ApiError::internal()
        })?;
    let value = HeaderValue::from_str(cookie).map_err(|_| ApiError::internal())?;
    response.append_header(SET_COOKIE, value);
    Ok(())
}

/// Checks a customer's token for a conversation and returns the conversation.
pub async fn customer_conversation(
    services: &Services,
    id: ConversationId,
    token: &str,
) -> Result<Conversation, ApiError> {
    check_customer(services, id, token).await?;
    Ok(services.store.conversation(id).await?)
}

/// Checks the customer's token for conversation `id` (one read): the token it started with,
/// or one issued when the same verified customer resumed it on another device.
pub async fn check_customer(
    services: &Services,
    id: ConversationId,
    token: &str,
) -> Result<(), ApiError> {
    let presented = hash_token(token);
    let stored = services.store.customer_token_hashes(id).await?;
    // Every stored hash is compared, so the time taken says nothing about which matched.
    let matched = stored.iter().fold(false, |matched, hash| {
        constant_time_eq(hash, &presented) | matched
    });
    if !matched {
        return Err(ApiError::unauthorized(
            "This chat link is not valid. Please start a new conversation",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(a, hash_a);
        assert_eq!(hash_token(&a), hash_a);
    }

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
