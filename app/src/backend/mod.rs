//! Server-side half of the server functions (feature `ssr`).
//!
//! The server functions in [`crate::api`] are thin shells: they read the [`Services`] from
//! the request context and call into the modules here, which load, apply the pure rules of
//! [`crate::domain`], persist through the [`Store`] port and publish through [`Publisher`].

/// Admin-only checks.
pub mod admin;
/// The AI's turn after a customer message.
pub mod ai;
/// Analytics for supervisors and admins.
pub mod analytics;
/// Who is calling: agent sessions, customer tokens, password hashing.
pub mod auth;
/// Canned replies: offered to every agent, managed by supervisors.
pub mod canned;
/// The customer's side: start, send, history, ask for a person.
pub mod chat;
/// Photos and documents: sending and reading them.
pub mod files;
/// Take over, hand over, transfer, close, reopen, and sending as an agent.
pub mod handoff;
/// Verified customers: the host site's signed identity tokens.
pub mod identity;
/// Labels and priority on conversations; the team's list of labels.
pub mod labels;
/// The ports the server implements: store, responder, publisher, presence, clock.
pub mod ports;
/// Changes Baton makes itself: assignment and requeues.
pub mod routing;
/// The team as the transfer picker sees it: availability corrected by presence.
pub mod team;
/// Webhook endpoints and their delivery log, for admins.
pub mod webhooks;

pub use ports::{
    Appended, Clock, CommittedTransition, FoldedFacts, Limit, NewAudit, NewConversation,
    NewMessage, Origin, Presence, Publisher, Purged, RateLimiter, Relabelled, Reply, ReplyContext,
    Responder, ResponderError, Retention, Services, Staffed, Staffing, StaleLog, Store, StoreError,
    StoredFile, SystemClock, TransitionPatch,
};
