//! What the load generator talks to: Baton's real API, or the bare broadcast server. Both
//! take a customer's message over HTTP and push it to agents' sockets.

use app::domain::{Author, EventKind};
use app::live::ServerFrame;
use futures::future::join_all;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::child::Server;

/// A server under load.
#[derive(Clone)]
pub struct Target {
    /// Where customers start, send and listen.
    pub base: String,
    ws_base: String,
    /// Where agents sign in, take over and listen: another node on the same database, or
    /// the same server.
    agent_base: String,
    agent_ws_base: String,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Baton,
    Bare,
}

/// A started conversation.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub token: String,
}

/// Small socket buffers on the client too: thousands of sockets live in this process.
pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .build()
        .expect("client")
}

pub async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Result<Value, String> {
    let response = client
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|err| format!("{url}: {err}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|err| err.to_string())?;
    if !status.is_success() {
        return Err(format!("{url}: {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|err| format!("{url}: {err}"))
}

impl Target {
    pub fn baton(server: &Server) -> Self {
        Self::on(server, server, Kind::Baton)
    }

    /// Customers on `customers`, agents on `agents`: two Baton nodes on one PostgreSQL, so
    /// every message crosses from one node to the other.
    pub fn baton_nodes(customers: &Server, agents: &Server) -> Self {
        Self::on(customers, agents, Kind::Baton)
    }

    pub fn baseline(server: &Server) -> Self {
        Self::on(server, server, Kind::Bare)
    }

    fn on(customers: &Server, agents: &Server, kind: Kind) -> Self {
        Self {
            base: customers.url.clone(),
            ws_base: customers.ws(""),
            agent_base: agents.url.clone(),
            agent_ws_base: agents.ws(""),
            kind,
        }
    }

    /// The agents' base URL.
    pub fn agent_base(&self) -> &str {
        &self.agent_base
    }

    pub fn is_baton(&self) -> bool {
        self.kind == Kind::Baton
    }

    pub async fn start(
        &self,
        client: &reqwest::Client,
        name: String,
    ) -> Result<Conversation, String> {
        let started = post(
            client,
            &format!("{}/api/chat/start", self.base),
            &json!({ "display_name": name }),
        )
        .await?;
        Ok(Conversation {
            id: started["conversation_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            token: started["token"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// Starts `n` conversations named `{label} {i}`, `at_once` at a time.
    pub async fn start_many(
        &self,
        client: &reqwest::Client,
        n: usize,
        label: &str,
        at_once: usize,
    ) -> Vec<Conversation> {
        let mut started = Vec::with_capacity(n);
        for chunk in (0..n).collect::<Vec<_>>().chunks(at_once) {
            let batch = join_all(
                chunk
                    .iter()
                    .map(|i| self.start(client, format!("{label} {i}"))),
            )
            .await;
            started.extend(batch.into_iter().map(|c| c.expect("conversation starts")));
        }
        started
    }

    /// A customer's message; returns once the server has acknowledged it (for Baton: stored).
    pub async fn send(
        &self,
        client: &reqwest::Client,
        conversation: &Conversation,
        client_id: &str,
        body: &str,
    ) -> Result<(), String> {
        post(
            client,
            &format!("{}/api/chat/send", self.base),
            &json!({
                "conversation_id": conversation.id,
                "token": conversation.token,
                "client_id": client_id,
                "body": body,
            }),
        )
        .await
        .map(|_| ())
    }

    /// Signs an agent in (Baton) and returns the headers its dashboard socket needs.
    pub async fn agent_login(
        &self,
        client: &reqwest::Client,
        email: &str,
    ) -> Result<Vec<(String, String)>, String> {
        if !self.is_baton() {
            return Ok(Vec::new());
        }
        let response = client
            .post(format!("{}/api/agent/login", self.agent_base))
            .json(&json!({ "email": email, "password": server::seed::DEMO_PASSWORD }))
            .send()
            .await
            .map_err(|err| err.to_string())?;
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .ok_or("sign-in gave no session cookie")?
            .to_owned();
        Ok(vec![("cookie".to_owned(), cookie)])
    }

    /// An agent takes a conversation over (Baton); the bare server has no owners.
    pub async fn take_over(
        &self,
        agent: &reqwest::Client,
        conversation: &Conversation,
    ) -> Result<(), String> {
        self.agent_acts(agent, "takeover", conversation).await
    }

    /// Closes a conversation, as its owner does when the customer is helped.
    pub async fn close(
        &self,
        agent: &reqwest::Client,
        conversation: &Conversation,
    ) -> Result<(), String> {
        self.agent_acts(agent, "close", conversation).await
    }

    /// `conversations/{action}` on a conversation, as the agent (Baton only).
    async fn agent_acts(
        &self,
        agent: &reqwest::Client,
        action: &str,
        conversation: &Conversation,
    ) -> Result<(), String> {
        if !self.is_baton() {
            return Ok(());
        }
        post(
            agent,
            &format!("{}/api/conversations/{action}", self.agent_base),
            &json!({ "conversation_id": conversation.id }),
        )
        .await
        .map(|_| ())
    }

    pub fn agent_socket(&self, headers: &[(String, String)]) -> Request {
        let mut request = format!("{}/ws", self.agent_ws_base)
            .into_client_request()
            .expect("socket URL");
        for (name, value) in headers {
            request.headers_mut().insert(
                http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                value.parse().expect("header value"),
            );
        }
        request
    }

    pub fn customer_socket(&self, conversation: &Conversation) -> Request {
        let mut request = format!(
            "{}/ws/chat?conversation_id={}",
            self.ws_base, conversation.id
        )
        .into_client_request()
        .expect("socket URL");
        let protocols = format!("baton.chat, baton.token.{}", conversation.token);
        request.headers_mut().insert(
            http::header::SEC_WEBSOCKET_PROTOCOL,
            protocols.parse().expect("header value"),
        );
        request
    }

    /// The customer messages in a frame an agent socket received: (conversation, body).
    pub fn customer_messages(&self, text: &str) -> Vec<(String, String)> {
        match self.kind {
            Kind::Bare => serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|frame| {
                    Some(vec![(
                        frame["conversation_id"].as_str()?.to_owned(),
                        frame["body"].as_str()?.to_owned(),
                    )])
                })
                .unwrap_or_default(),
            Kind::Baton => match serde_json::from_str::<ServerFrame>(text) {
                Ok(ServerFrame::Events {
                    conversation_id,
                    events,
                    ..
                }) => events
                    .into_iter()
                    .filter_map(|event| match event.kind {
                        EventKind::Message { message } if message.author == Author::Customer => {
                            Some((
                                conversation_id.to_string(),
                                message.body.as_str().to_owned(),
                            ))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The frame a customer socket answers a ping with, and the ping.
    pub fn ping(&self) -> &'static str {
        r#"{"type":"ping"}"#
    }
}
