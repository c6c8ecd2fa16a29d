//! What every handler shares: the services, the realtime hub, the configuration.

use std::sync::Arc;

use app::backend::Services;

use crate::config::Config;
use crate::hub::Hub;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    /// The rate limits (also in `services`), whose share the PostgreSQL heartbeat sets.
    pub limits: Arc<crate::limits::TokenBuckets>,
    pub hub: Arc<Hub>,
    /// The queue as this node shows it to waiting customers and dashboards.
    pub board: Arc<crate::routing::QueueBoard>,
    /// The timers and the assigner (active on the node that leads).
    pub router: Arc<crate::routing::Router>,
    /// Sends the webhook outbox.
    pub dispatcher: Arc<crate::webhooks::Dispatcher>,
    pub config: Arc<Config>,
    /// The Content-Security-Policy sent with every response (hashes the SPA's loader).
    pub csp: Arc<str>,
    /// The customer's page (`/chat`, `/chat/embed`) as read at start: the one with the
    /// customer's own bundle, or the SPA's `index.html` when that was not built (empty when
    /// neither was).
    pub chat_page: Arc<str>,
    /// The policy of the embedded chat page: the same, framable by `--widget-origins` only.
    pub embed_csp: Arc<str>,
    /// The server functions' paths (`/api/...`), to answer unknown ones with a JSON 404.
    pub api_paths: Arc<std::collections::HashSet<String>>,
    /// The PostgreSQL listener task, stopped with the server.
    pub background: Option<Arc<tokio::task::AbortHandle>>,
    /// With PostgreSQL: the listener connection's `application_name`.
    pub listener_name: Option<String>,
}
