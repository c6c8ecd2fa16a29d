//! # Baton's server
//!
//! axum + leptos_axum + tokio: serves the SPA from `dist/`, the server functions under
//! `/api/`, and `/health`; stores conversations with sqlx; answers customers with the AI
//! responder. `main.rs` only parses the configuration and calls [`run`]; tests call [`spawn`]
//! to start the real server on port 0.
//!
//! ## Layout
//! - [`config`] — the typed configuration (flags and environment).
//! - [`telemetry`] — logging.
//! - [`store`] — the storage backends implementing `app::backend::Store`.
//! - [`fanout`] — several nodes on one PostgreSQL: NOTIFY hints, LISTEN, catch-up by seq.
//! - [`hub`] — realtime fan-out of committed events, and presence.
//! - [`realtime`] — the WebSockets `/ws` (agents) and `/ws/chat` (customers).
//! - [`ai`] — the knowledge base and the embedded responder.
//! - [`limits`] — rate limits (token buckets per key).
//! - [`seed`] — first-run demo agents and knowledge base.
//! - [`routing`] — the queue pushed to waiting customers, auto-assignment, the reply timer,
//!   owner rescue and business hours (one router at a time across nodes).
//! - [`retention`] — the hourly purge of expired sessions and old refused sign-ins.
//! - [`backup`] — online copies of the SQLite database (`baton backup FILE`).
//! - [`webhooks`] — the outbox sent to the endpoints admins register, signed, retried.
//! - [`state`] — what every handler shares.
//! - [`guard`] — the edge: allowed hosts, client address behind trusted proxies, origin
//!   checks, security headers.
//! - [`http`] — the router.

/// The knowledge base and the AI responder.
pub mod ai;
/// Online backups of the SQLite database.
pub mod backup;
/// Typed configuration.
pub mod config;
/// Cross-node fan-out on PostgreSQL.
pub mod fanout;
/// Photos and documents: uploads and serving them.
pub mod files;
/// The edge: allowed hosts, the client's address, origin checks, security headers.
pub mod guard;
/// The router: server functions, health, SPA.
pub mod http;
/// Realtime fan-out.
pub mod hub;
/// Rate limits.
pub mod limits;
/// Prometheus metrics.
pub mod metrics;
/// The WebSockets for agents and customers.
pub mod realtime;
/// Retention: expired sessions and old refused sign-ins are purged.
pub mod retention;
/// Routing: the queue, auto-assignment, the reply timer, owner rescue, business hours.
pub mod routing;
/// First-run data.
pub mod seed;
/// What every handler shares.
pub mod state;
/// Storage backends.
pub mod store;
/// Logging setup.
pub mod telemetry;
/// Webhooks: the dispatcher that sends the outbox, signed, with retries.
pub mod webhooks;
/// The chat widget for other sites: its embed page and status.
pub mod widget;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::backend::{Clock, Services, Store, SystemClock};

use crate::ai::{KbResponder, KnowledgeBase, OpenAiResponder};
use crate::config::Config;
use crate::hub::Hub;
use crate::store::Backend;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the database failed: {0}")]
    Store(#[from] app::backend::StoreError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the AI provider could not be set up: {0}")]
    Ai(String),
    #[error("refusing to start: {0}")]
    Unsafe(String),
}

/// A server running in the background (tests).
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its store, for tests that inspect the database.
    pub store: Arc<dyn Store>,
    /// Its realtime hub, for tests that inspect open channels and sockets.
    pub hub: Arc<Hub>,
    /// Its router, for tests that drive the timers with a controlled clock.
    pub router: Arc<routing::Router>,
    /// Its queue board, for tests that wait for the queue to be pushed.
    pub board: Arc<routing::QueueBoard>,
    /// Its rate limits, for tests that check how nodes share them.
    pub limits: Arc<limits::TokenBuckets>,
    backend: Backend,
    background: Option<Arc<tokio::task::AbortHandle>>,
    /// With PostgreSQL: the `application_name` of this node's listener connection.
    pub listener_name: Option<String>,
    /// With PostgreSQL: the `application_name` of this node's pooled connections.
    pub pool_name: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, closes the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(task) = self.background.take() {
            task.abort();
        }
        self.backend.close().await;
    }
}

/// How events and presence leave this node, and the listener task (with its name) if any.
type Fanning = (
    Arc<dyn app::backend::Publisher>,
    Arc<dyn app::backend::Presence>,
    Option<(tokio::task::JoinHandle<()>, String)>,
);

/// Opens the store, seeds first-run data, and builds the application state.
pub async fn prepare(config: &Config) -> Result<(state::AppState, Backend), StartError> {
    prepare_with_clock(config, Arc::new(SystemClock)).await
}

/// [`prepare`] with a given clock (tests drive the router's timers with their own).
pub async fn prepare_with_clock(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<(state::AppState, Backend), StartError> {
    if let Some(refusal) = config.refusal() {
        return Err(StartError::Unsafe(refusal));
    }
    let backend = Backend::open(&config.database_url).await?;
    let store = backend.store();
    let now = clock.now();
    if config.seed_demo && seed::demo_agents(store.as_ref(), now).await? {
        tracing::warn!(
            agents = ?seed::DEMO_AGENTS.iter().map(|a| a.1).collect::<Vec<_>>(),
            "created the demo agents (shared demo password): for local demos only"
        );
    }
    let loaded = seed::knowledge_base(&backend, &config.kb_dir, now).await?;
    if loaded > 0 {
        tracing::info!(articles = loaded, "loaded the sample knowledge base");
    }
    let articles = backend
        .kb_articles()
        .await?
        .into_iter()
        .map(|(slug, title, body)| ai::Article { slug, title, body })
        .collect();
    let kb = ai::Knowledge::from(KnowledgeBase::new(articles));
    match &config.ai_model_dir {
        Some(dir) => drop(kb.learn_meanings(dir.clone())),
        None => tracing::info!("no --ai-model-dir: the AI answers by words only"),
    }
    let responder: Arc<dyn app::backend::Responder> = match config.ai_provider {
        config::AiProvider::Embedded => Arc::new(KbResponder::new(kb, config.ai_confidence)),
        config::AiProvider::Openai => Arc::new(
            OpenAiResponder::new(
                &config.ai_base_url,
                &config.ai_model,
                config.ai_api_key.clone(),
                std::time::Duration::from_secs(config.ai_timeout_secs),
                kb,
            )
            .map_err(|err| StartError::Ai(err.to_string()))?,
        ),
    };
    let hub = Arc::new(Hub::default());
    let limits = Arc::new(limits::TokenBuckets::new(limits::Rates {
        sign_in_failures_per_account: config.limit_sign_in_failures_per_account,
        sign_in_failures_per_account_and_address: config.limit_sign_in_failures,
        sign_in_per_address: config.limit_sign_in_per_address,
        handshake_per_address: config.limit_handshake_per_address,
        start_per_address: config.limit_start_per_address,
        send_per_conversation: config.limit_send_per_conversation,
    }));
    let (publisher, presence, background): Fanning = match &backend {
        Backend::Sqlite(_) => (hub.clone(), hub.clone(), None),
        Backend::Postgres(pg) => {
            let fanout = fanout::Fanout::new(hub.clone(), pg.clone());
            let name = fanout.listener_name();
            // The listener and the heartbeat that shares the rate limits stop together.
            let beating = fanout::heartbeat(pg.clone(), fanout.node().to_owned(), limits.clone());
            let listening = fanout.clone().listen();
            let listener = tokio::spawn(async move {
                tokio::join!(listening, beating);
            });
            (fanout.clone(), fanout, Some((listener, name)))
        }
    };
    let staffing = Arc::new(routing::Floor::new(
        store.clone(),
        presence.clone(),
        config.business_hours.clone(),
    ));
    let services = Services {
        store: store.clone(),
        ai_turns: Arc::new(tokio::sync::Semaphore::new(responder.capacity())),
        ai_settle: std::time::Duration::from_millis(config.ai_settle_ms),
        customer_typing: Arc::default(),
        responder: Arc::new(metrics::Timed(responder)),
        publisher: Arc::new(metrics::Metered(publisher)),
        presence,
        staffing,
        limits: limits.clone(),
        clock,
        session_ttl_secs: i64::from(config.session_ttl_hours) * 3600,
        secure_cookies: config.secure_cookies(),
        identity: config
            .identity_secret
            .as_ref()
            .map(|secret| secret.0.clone()),
        require_identity: config.require_identity,
        csat_after_handover: config.csat_after_handover,
        analytics: Arc::default(),
    };
    let leadership = match &backend {
        Backend::Sqlite(_) => routing::leader::Leadership::Alone,
        Backend::Postgres(pg) => routing::leader::Leadership::postgres(pg.clone()),
    };
    let router = routing::Router::new(services.clone(), config.routing(), leadership);
    let dispatcher =
        webhooks::Dispatcher::new(backend.outbox(), services.clock.clone(), config.webhooks());
    let board = routing::QueueBoard::new(services.clone(), hub.clone());
    let index = std::fs::read_to_string(config.dist.join("index.html")).unwrap_or_default();
    // The customer's page with its own small bundle; the whole SPA serves it when that one
    // was not built (`trunk serve`).
    let chat_page = std::fs::read_to_string(config.dist.join(CUSTOMER_PAGE))
        .ok()
        .filter(|page| !page.is_empty())
        .unwrap_or_else(|| index.clone());
    let loaders = [index.as_str(), chat_page.as_str()].map(guard::inline_scripts);
    let csp = guard::content_security_policy(&loaders.concat());
    let state = state::AppState {
        services,
        limits,
        board,
        router,
        dispatcher,
        hub,
        config: Arc::new(config.clone()),
        csp: csp.clone().into(),
        embed_csp: widget::embed_policy(&csp, &config.widget_origins).into(),
        chat_page: chat_page.into(),
        api_paths: Arc::new(http::api_paths()),
        listener_name: background.as_ref().map(|(_, name)| name.clone()),
        background: background.map(|(task, _)| Arc::new(task.abort_handle())),
    };
    Ok((state, backend))
}

/// The customer's page in the SPA's folder: `/chat` and `/chat/embed` load it, with the
/// customer's own bundle beside it.
pub const CUSTOMER_PAGE: &str = "customer/index.html";

/// How long sockets get to send their close frame once the server stopped serving.
pub const SOCKETS_GOODBYE: std::time::Duration = std::time::Duration::from_secs(2);

/// How long requests in flight may take to finish once shutdown has begun.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs the server until `shutdown` resolves, then tells every socket to reconnect and
/// drains requests in flight (at most [`SHUTDOWN_GRACE`]).
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let (state, backend) = prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    tracing::info!(%addr, "Baton is listening");
    let background = state.background.clone();
    let hub = state.hub.clone();
    let sockets = state.hub.clone();
    let (fired, was_fired) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        // Sockets are told to reconnect (elsewhere, or here once back); requests in flight
        // get up to SHUTDOWN_GRACE to finish.
        hub.close_sockets();
        let _ = fired.send(());
    };
    let serving = serve(listener, state, signal);
    let deadline = async {
        match was_fired.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = serving => {}
        () = deadline => tracing::warn!("requests still in flight after the grace period: stopping anyway"),
    }
    // Sockets said goodbye (1012) as soon as shutdown began; one still being set up says it
    // once it starts. Wait for them (briefly) so none is cut without its close frame.
    let goodbyes = std::time::Instant::now();
    while sockets.open_sockets() > 0 && goodbyes.elapsed() < SOCKETS_GOODBYE {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    if let Some(task) = background {
        task.abort();
    }
    backend.close().await;
    Ok(())
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: state::AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let purging = tokio::spawn(retention::run(
        state.services.store.clone(),
        state.services.clock.clone(),
        state.config.refused_sign_in_retention_days,
    ));
    let folding = tokio::spawn(
        state
            .services
            .analytics
            .clone()
            .run(state.services.store.clone(), state.services.clock.clone()),
    );
    let routing = [
        tokio::spawn(state.board.clone().run()),
        tokio::spawn(state.router.clone().run()),
        tokio::spawn(routing::watch(
            state.hub.clone(),
            state.board.clone(),
            state.router.clone(),
        )),
        tokio::spawn(state.dispatcher.clone().run()),
    ];
    let metrics = match state.config.metrics_addr {
        Some(addr) => match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => {
                tracing::info!(%addr, "metrics at /metrics");
                let app = http::metrics_router(state.clone());
                Some(tokio::spawn(
                    async move { axum::serve(listener, app).await },
                ))
            }
            Err(err) => {
                tracing::error!(%addr, %err, "could not listen for metrics");
                None
            }
        },
        None => None,
    };
    let router = state.router.clone();
    let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    if let Err(err) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(%err, "server stopped with an error");
    }
    purging.abort();
    folding.abort();
    if let Some(task) = metrics {
        task.abort();
    }
    for task in routing {
        task.abort();
    }
    router.resign().await;
}

/// Starts the server in the background (port 0 in `config.addr` picks a free port).
pub async fn spawn(config: Config) -> Result<Running, StartError> {
    spawn_with_clock(config, Arc::new(SystemClock)).await
}

/// [`spawn`] with a given clock: tests move it to drive the router's timers.
pub async fn spawn_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> Result<Running, StartError> {
    let (state, backend) = prepare_with_clock(&config, clock).await?;
    let store = state.services.store.clone();
    let hub = state.hub.clone();
    let router = state.router.clone();
    let board = state.board.clone();
    let limits = state.limits.clone();
    let background = state.background.clone();
    let listener_name = state.listener_name.clone();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    let pool_name = match &backend {
        Backend::Postgres(pg) => Some(pg.connection_name().to_owned()),
        Backend::Sqlite(_) => None,
    };
    Ok(Running {
        addr,
        store,
        hub,
        router,
        board,
        limits,
        pool_name,
        backend,
        background,
        listener_name,
        shutdown: Some(tx),
        task,
    })
}
