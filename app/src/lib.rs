//! # Baton: the shared core
//!
//! One crate, compiled twice: to WASM with feature `csr` (the browser SPA, where every
//! server function becomes an HTTP call) and natively with feature `ssr` inside the `server`
//! crate (where server-function bodies run). The two features never combine.
//!
//! ## Layout
//! - [`domain`] — pure types and rules: ids, parsed text, the mode state machine
//!   ([`domain::Mode::apply`]), the per-conversation event log.
//! - [`csv`] — CSV a spreadsheet reads as written, for every download.
//! - [`error`] — [`error::ApiError`], the one error type at the API boundary.
//! - [`api`] — the server functions, one file per capability, at fixed `/api/...` paths.
//! - `backend` (`ssr` only) — what server-function bodies call; the ports the server implements.
//! - [`i18n`] — the languages (English, Indonesian) of every screen and customer notice.
//! - [`live`] — the realtime frames both ends of the WebSockets decode.
//! - [`ui`] — the Leptos pages and components of the dashboard and the customer chat.

/// The HTTP API as server functions.
pub mod api;
/// The languages: `locales/*.json` compiled by `build.rs` into typed keys
/// ([`i18n::Locale`], `t!`, `td_string!`).
mod languages {
    #![allow(missing_docs, clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/i18n.rs"));
}
pub use languages::i18n;
/// Server-side logic behind the server functions, and the ports the server implements.
#[cfg(feature = "ssr")]
pub mod backend;
/// CSV cells and lines, formula-looking cells escaped.
pub mod csv;
/// The conversation model, shared by browser and server.
pub mod domain;
/// The API's error type.
pub mod error;
/// The realtime protocol shared by the sockets' two ends.
pub mod live;
/// Pages and components.
pub mod ui;
