//! The HTTP API: server functions at fixed paths under `/api/`, JSON in and out.
//!
//! In the browser (`csr`) each function is an HTTP call; on the server (`ssr`) its body runs.
//! Bodies are thin: they authorize, then call [`crate::backend`].

/// Admins: managing agents, reading the audit log.
pub mod admin;
/// Agents: the team list and one's own availability.
pub mod agents;
/// Supervisors and admins: analytics of the hand-off.
pub mod analytics;
/// Agent sign-in, sign-out, and who is signed in.
pub mod auth;
/// Canned replies: every agent reads them, supervisors manage them.
pub mod canned;
/// The customer's side: start, send, history, ask for a person.
pub mod chat;
/// The dashboard's reads and the owner's messages: list, get, send.
pub mod conversations;
/// The owner gives the conversation back to the AI.
pub mod handover;
/// Labels and priority: the team's labels, and sorting conversations with them.
pub mod labels;
/// Closing and reopening a conversation.
pub mod lifecycle;
/// The API's OpenAPI 3.1 document, built from the server functions.
#[cfg(feature = "ssr")]
pub mod openapi;
/// An agent takes a conversation over from the AI.
pub mod takeover;
/// The owner gives the conversation to another agent.
pub mod transfer;
/// Admins: webhook endpoints and their delivery log.
pub mod webhooks;

/// The language a request names by its code ("en", "id"); anything else is refused.
#[cfg(feature = "ssr")]
fn language_of(code: &str) -> Result<crate::domain::Locale, crate::error::ApiError> {
    crate::domain::language::from_code(code).map_err(crate::error::ApiError::bad_input)
}
