//! The bare baseline: a broadcast WebSocket server with no authentication and no storage.
//! It takes a customer's message over HTTP like Baton does and pushes it, serialized once,
//! to every agent socket and to that conversation's customer socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast;

/// Set to the address to listen on, this program runs as the baseline server.
pub const ROLE: &str = "BENCH_BASELINE_ADDR";

const CHANNEL_CAPACITY: usize = 256;

#[derive(Clone)]
struct Bare {
    agents: broadcast::Sender<Utf8Bytes>,
    conversations: Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>,
    next_id: Arc<AtomicU64>,
}

impl Bare {
    fn conversation(&self, id: &str) -> broadcast::Sender<Utf8Bytes> {
        self.conversations
            .lock()
            .expect("lock")
            .entry(id.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .clone()
    }
}

pub fn serve_from_env() {
    let addr = std::env::var(ROLE).expect("baseline address");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let bare = Bare {
            agents: broadcast::channel(CHANNEL_CAPACITY).0,
            conversations: Arc::default(),
            next_id: Arc::default(),
        };
        let app = Router::new()
            .route("/health", get(|| async { "ok" }))
            .route("/api/chat/start", post(start))
            .route("/api/chat/send", post(send))
            .route("/ws", get(agent_socket))
            .route("/ws/chat", get(customer_socket))
            .with_state(bare);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .expect("baseline listens");
        axum::serve(listener, app).await.expect("baseline serves");
    });
}

async fn start(State(bare): State<Bare>) -> Json<Value> {
    let id = bare.next_id.fetch_add(1, Ordering::Relaxed);
    Json(json!({ "conversation_id": format!("c{id}"), "token": "" }))
}

#[derive(Deserialize)]
struct Send {
    conversation_id: String,
    body: String,
}

async fn send(State(bare): State<Bare>, Json(message): Json<Send>) -> Json<Value> {
    let frame: Utf8Bytes =
        json!({ "conversation_id": message.conversation_id, "body": message.body })
            .to_string()
            .into();
    let _ = bare.agents.send(frame.clone());
    let _ = bare.conversation(&message.conversation_id).send(frame);
    Json(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct ChatQuery {
    conversation_id: String,
}

fn configure(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    // The same buffer sizes as Baton's sockets, so memory compares like for like.
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
}

async fn agent_socket(State(bare): State<Bare>, upgrade: WebSocketUpgrade) -> Response {
    let frames = bare.agents.subscribe();
    configure(upgrade).on_upgrade(move |socket| forward(socket, frames))
}

async fn customer_socket(
    State(bare): State<Bare>,
    Query(query): Query<ChatQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let frames = bare.conversation(&query.conversation_id).subscribe();
    // The same handshake as Baton's: the client offers its token as a subprotocol.
    configure(upgrade)
        .protocols(["baton.chat"])
        .on_upgrade(move |socket| forward(socket, frames))
}

/// Pushes broadcast frames to the socket and answers pings, until either side ends.
async fn forward(socket: WebSocket, mut frames: broadcast::Receiver<Utf8Bytes>) {
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Ok(text) => {
                    if sink.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(_))) => {
                    if sink.send(Message::Text(r#"{"type":"pong"}"#.into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                _ => return,
            },
        }
    }
}
