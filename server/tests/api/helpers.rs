//! Spawning the app and talking to it like a client would.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use server::config::Config;
use server::Running;

/// The demo password.
pub const PASSWORD: &str = "baton-demo";

/// A running Baton with its own database.
pub struct TestApp {
    pub server: Running,
    pub url: String,
    /// The database it runs on.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// A clock the test moves by hand; it starts at the real time.
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl Default for ManualClock {
    fn default() -> Self {
        Self(std::sync::atomic::AtomicI64::new(
            app::backend::Clock::now(&app::backend::SystemClock).millis(),
        ))
    }
}

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.0
            .fetch_add(by.as_millis() as i64, std::sync::atomic::Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, millis: i64) {
        self.0.store(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl app::backend::Clock for ManualClock {
    fn now(&self) -> app::domain::Timestamp {
        app::domain::Timestamp(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// A signed-in agent with their own cookie jar.
pub struct AgentClient {
    pub client: reqwest::Client,
    pub id: String,
    pub name: String,
}

/// A customer's conversation and its secret token.
#[derive(Clone)]
pub struct Customer {
    pub id: String,
    pub token: String,
}

/// A response: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn ok(self) -> Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "unexpected reply: {:?}",
            self.body
        );
        self.body
    }

    pub fn kind(&self) -> &str {
        self.body["kind"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client builds")
}

impl TestApp {
    /// Starts Baton on 127.0.0.1:0 with a fresh database and the sample knowledge base.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted first. With
    /// `BATON_TEST_POSTGRES` set, each app gets a fresh schema in that PostgreSQL database.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let database_url = match postgres_base() {
            Some(base) => fresh_postgres_schema(&base).await,
            None => String::new(),
        };
        Self::spawn_on(database_url, adjust).await
    }

    /// Like [`TestApp::spawn_with`], on a clock the test moves (the router's timers read it).
    pub async fn spawn_clocked(
        adjust: impl FnOnce(&mut Config),
    ) -> (Self, std::sync::Arc<ManualClock>) {
        let database_url = match postgres_base() {
            Some(base) => fresh_postgres_schema(&base).await,
            None => String::new(),
        };
        let clock = std::sync::Arc::new(ManualClock::default());
        let app = Self::start(database_url, adjust, Some(clock.clone())).await;
        (app, clock)
    }

    /// Starts a node on `database_url` (empty: a fresh SQLite file).
    pub async fn spawn_on(database_url: String, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(database_url, adjust, None).await
    }

    async fn start(
        database_url: String,
        adjust: impl FnOnce(&mut Config),
        clock: Option<std::sync::Arc<ManualClock>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = if database_url.is_empty() {
            format!("sqlite://{}", dir.path().join("baton.db").display())
        } else {
            database_url
        };
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url,
            dist: dir.path().join("dist"),
            kb_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb"),
            seed_demo: true,
            // The AI lets a customer finish a few lines before it answers; tests send theirs
            // at once, so a short wait is enough and keeps every AI reply quick.
            ai_settle_ms: 150,
            ..Config::defaults()
        };
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let server = match clock {
            Some(clock) => server::spawn_with_clock(config, clock).await,
            None => server::spawn(config).await,
        }
        .expect("server starts");
        let url = server.url();
        Self {
            server,
            url,
            database_url,
            _dir: dir,
        }
    }

    /// POSTs JSON to an API path with the given client.
    pub async fn post(&self, client: &reqwest::Client, path: &str, body: Value) -> Reply {
        let response = client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// POSTs a raw body with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &'static str) -> Reply {
        let response = client()
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// Signs an agent in.
    pub async fn agent(&self, email: &str) -> AgentClient {
        let client = client();
        let agent = self
            .post(
                &client,
                "/api/agent/login",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await
            .ok();
        AgentClient {
            client,
            id: agent["id"].as_str().unwrap().to_owned(),
            name: agent["display_name"].as_str().unwrap().to_owned(),
        }
    }

    /// Starts a conversation as a customer.
    pub async fn customer(&self, name: &str) -> Customer {
        let started = self
            .post(
                &client(),
                "/api/chat/start",
                json!({ "display_name": name }),
            )
            .await
            .ok();
        Customer {
            id: started["conversation_id"].as_str().unwrap().to_owned(),
            token: started["token"].as_str().unwrap().to_owned(),
        }
    }

    /// The customer sends a message.
    pub async fn customer_send(&self, customer: &Customer, client_id: &str, body: &str) -> Reply {
        self.post(
            &client(),
            "/api/chat/send",
            json!({ "conversation_id": customer.id, "token": customer.token,
                    "client_id": client_id, "body": body }),
        )
        .await
    }

    /// The customer's view of their conversation.
    pub async fn history(&self, customer: &Customer) -> Value {
        self.post(
            &client(),
            "/api/chat/history",
            json!({ "conversation_id": customer.id, "token": customer.token }),
        )
        .await
        .ok()
    }

    /// The bodies of the customer-visible messages by `author_kind` (customer, ai, agent, system).
    pub async fn customer_sees(&self, customer: &Customer, author_kind: &str) -> Vec<String> {
        messages_by(&self.history(customer).await["events"], author_kind)
    }

    /// Waits until the customer's view holds `count` messages from `author_kind`.
    pub async fn wait_for_messages(
        &self,
        customer: &Customer,
        author_kind: &str,
        count: usize,
    ) -> Vec<String> {
        for _ in 0..100 {
            let seen = self.customer_sees(customer, author_kind).await;
            if seen.len() >= count {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {count} {author_kind} message(s) within 5 s");
    }

    /// Waits until nothing new (an AI reply, say) has been appended for 400 ms.
    pub async fn wait_until_quiet(&self, customer: &Customer) {
        let mut last = None;
        for _ in 0..50 {
            let seqs = seqs(&self.history(customer).await["events"]);
            if last.is_some() && seqs.last() == last.as_ref() {
                return;
            }
            last = seqs.last().copied();
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        panic!("the conversation kept changing for 20 s");
    }

    /// Creates an extra online agent directly in the store (for races with many agents).
    pub async fn create_agent(&self, name: &str, email: &str, password_hash: &str) {
        use app::domain::{Agent, AgentId, Availability, DisplayName, Email, Role, Timestamp};
        let agent = Agent {
            id: AgentId::new(),
            email: Email::parse(email).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            role: Role::Agent,
            status: Availability::Online,
            max_chats: 50,
        };
        self.server
            .store
            .create_agent(&agent, password_hash, Timestamp(0))
            .await
            .unwrap();
    }
}

/// The PostgreSQL the tests use, if any (`BATON_TEST_POSTGRES`).
pub fn postgres_base() -> Option<String> {
    std::env::var("BATON_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Creates a fresh schema and returns a database URL whose connections use it.
pub async fn fresh_postgres_schema(base: &str) -> String {
    let schema = format!("bt_{}", uuid::Uuid::new_v4().simple());
    server::store::postgres::PgStore::url_in_schema(base, &schema)
        .await
        .expect("PostgreSQL is reachable at BATON_TEST_POSTGRES")
}

/// Message bodies in an event list written by `author_kind`.
pub fn messages_by(events: &Value, author_kind: &str) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message" && e["message"]["author"]["kind"] == author_kind)
        .map(|e| e["message"]["body"].as_str().unwrap().to_owned())
        .collect()
}

/// The seq numbers of an event list.
pub fn seqs(events: &Value) -> Vec<u64> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

impl AgentClient {
    pub async fn call(&self, app: &TestApp, path: &str, body: Value) -> Reply {
        app.post(&self.client, path, body).await
    }

    pub async fn takeover(&self, app: &TestApp, conversation: &str) -> Reply {
        self.call(
            app,
            "/api/conversations/takeover",
            json!({ "conversation_id": conversation }),
        )
        .await
    }

    pub async fn handover(&self, app: &TestApp, conversation: &str, note: Option<&str>) -> Reply {
        self.call(
            app,
            "/api/conversations/handover",
            json!({ "conversation_id": conversation, "note": note }),
        )
        .await
    }

    pub async fn transfer(
        &self,
        app: &TestApp,
        conversation: &str,
        to: &str,
        note: Option<&str>,
    ) -> Reply {
        self.call(
            app,
            "/api/conversations/transfer",
            json!({ "conversation_id": conversation, "to_agent_id": to, "note": note }),
        )
        .await
    }

    pub async fn send(
        &self,
        app: &TestApp,
        conversation: &str,
        client_id: &str,
        body: &str,
    ) -> Reply {
        self.call(
            app,
            "/api/conversations/send",
            json!({ "conversation_id": conversation, "client_id": client_id, "body": body }),
        )
        .await
    }

    pub async fn close(&self, app: &TestApp, conversation: &str) -> Reply {
        self.call(
            app,
            "/api/conversations/close",
            json!({ "conversation_id": conversation }),
        )
        .await
    }

    /// The full conversation (agent view): `{conversation, events}`.
    pub async fn get(&self, app: &TestApp, conversation: &str) -> Value {
        self.call(
            app,
            "/api/conversations/get",
            json!({ "conversation_id": conversation }),
        )
        .await
        .ok()
    }

    pub async fn set_status(&self, app: &TestApp, status: &str) -> Reply {
        self.call(app, "/api/agents/availability", json!({ "status": status }))
            .await
    }
}

/// A WebSocket client, reading and writing the shared frame types.
pub struct Socket {
    inner: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    /// Sends a client frame.
    pub async fn send(&mut self, frame: &app::live::ClientFrame) {
        use futures::SinkExt;
        let text = serde_json::to_string(frame).unwrap();
        self.inner
            .send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
            .await
            .unwrap();
    }

    /// The next server frame, or None after `wait` of silence (or when closed).
    pub async fn next_within(&mut self, wait: Duration) -> Option<app::live::ServerFrame> {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(wait, self.inner.next())
                .await
                .ok()??
                .ok()?;
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                return Some(serde_json::from_str(&text).expect("server frames decode"));
            }
        }
    }

    /// Reads frames until `pick` returns Some, failing after 5 s.
    pub async fn wait_for<T>(
        &mut self,
        mut pick: impl FnMut(&app::live::ServerFrame) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self
                .next_within(left)
                .await
                .expect("the awaited frame arrives within 5 s");
            if let Some(found) = pick(&frame) {
                return found;
            }
        }
    }

    /// Collects event seqs until `last` arrives; every seq seen, in arrival order.
    pub async fn seqs_until(&mut self, last: u64) -> Vec<u64> {
        let mut seen = Vec::new();
        while !seen.contains(&last) {
            let frame = self
                .next_within(Duration::from_secs(5))
                .await
                .unwrap_or_else(|| panic!("seq {last} did not arrive; saw {seen:?}"));
            if let app::live::ServerFrame::Events { events, .. } = frame {
                seen.extend(events.iter().map(|e| e.seq));
            }
        }
        seen
    }
}

impl TestApp {
    /// A fresh session cookie (`baton_session=…`) for an agent.
    pub async fn session_cookie(&self, email: &str) -> String {
        let response = client()
            .post(format!("{}/api/agent/login", self.url))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    fn ws_url(&self, path: &str) -> String {
        format!("{}{path}", self.url.replacen("http://", "ws://", 1))
    }

    /// Opens a socket; Err carries the HTTP status of a refused handshake.
    pub async fn try_socket(&self, path: &str, headers: &[(&str, &str)]) -> Result<Socket, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = self.ws_url(path).into_client_request().unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((inner, _)) => Ok(Socket { inner }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(err) => panic!("socket failed: {err}"),
        }
    }

    /// An agent's dashboard socket.
    pub async fn agent_socket(&self, email: &str) -> Socket {
        let cookie = self.session_cookie(email).await;
        self.try_socket("/ws", &[("cookie", cookie.as_str())])
            .await
            .expect("agent socket opens")
    }

    /// A customer's socket, resuming after `after_seq` when given.
    pub async fn customer_socket(&self, customer: &Customer, after_seq: Option<u64>) -> Socket {
        self.try_customer_socket(&customer.id, &customer.token, after_seq)
            .await
            .expect("customer socket opens")
    }

    /// Opens a customer's socket the way the chat page does: the conversation in the URL,
    /// the token in the subprotocol list. `Err(status)` when the handshake is refused.
    pub async fn try_customer_socket(
        &self,
        conversation_id: &str,
        token: &str,
        after_seq: Option<u64>,
    ) -> Result<Socket, u16> {
        let mut path = format!("/ws/chat?conversation_id={conversation_id}");
        if let Some(seq) = after_seq {
            path.push_str(&format!("&after_seq={seq}"));
        }
        let protocols = format!("baton.chat, baton.token.{token}");
        self.try_socket(&path, &[("sec-websocket-protocol", protocols.as_str())])
            .await
    }
}

/// The real `baton` binary as a child process, for tests where the server must die.
pub struct ChildServer {
    pub url: String,
    database_url: String,
    port: u16,
    process: Option<std::process::Child>,
    _dir: tempfile::TempDir,
}

impl ChildServer {
    /// Starts the binary on a free port with a fresh database (a PostgreSQL schema when
    /// `BATON_TEST_POSTGRES` is set, else a SQLite file), demo agents, rate limits off.
    pub async fn start() -> Self {
        let database_url = match postgres_base() {
            Some(base) => Some(fresh_postgres_schema(&base).await),
            None => None,
        };
        Self::start_on(database_url).await
    }

    /// Starts the binary on `database_url`, or on a fresh SQLite file when `None`.
    pub async fn start_on(database_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = database_url
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("baton.db").display()));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            url: format!("http://127.0.0.1:{port}"),
            database_url,
            port,
            process: None,
            _dir: dir,
        };
        server.launch().await;
        server
    }

    /// The database it runs on.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// (Re)starts the process on the same port and database; returns once `/health` answers.
    pub async fn launch(&mut self) {
        let kb = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb");
        let process = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
            .env("BATON_ADDR", format!("127.0.0.1:{}", self.port))
            .env("DATABASE_URL", &self.database_url)
            .env("BATON_KB_DIR", kb)
            .env("BATON_DIST", self._dir.path())
            .env("BATON_SEED_DEMO", "true")
            .env("BATON_LIMIT_START_PER_ADDRESS", "0")
            .env("BATON_LIMIT_SEND_PER_CONVERSATION", "0")
            .env("BATON_LIMIT_SIGN_IN_PER_ADDRESS", "0")
            .env("BATON_LIMIT_HANDSHAKE_PER_ADDRESS", "0")
            // Webhook receivers in tests listen on 127.0.0.1 and retry within seconds.
            .env("BATON_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("BATON_WEBHOOK_RETRY_SECS", "1,1,1")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("baton starts");
        self.process = Some(process);
        let http = client();
        for _ in 0..600 {
            if let Ok(reply) = http.get(format!("{}/health", self.url)).send().await {
                if reply.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("baton did not answer /health within 30 s");
    }

    /// SIGKILL: the process dies at once, mid-request.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// SIGTERM, then waits for the process to exit; returns how long it took, and whether
    /// it exited successfully.
    pub fn terminate(&mut self) -> (Duration, bool) {
        let mut process = self.process.take().expect("running");
        let asked = std::time::Instant::now();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &process.id().to_string()])
            .status();
        let status = process.wait().expect("exit status");
        (asked.elapsed(), status.success())
    }
}

impl ChildServer {
    /// Resident memory of the running process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let pid = self.process.as_ref().expect("running").id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}
