//! The WebSockets: `/ws` for signed-in agents, `/ws/chat` for a customer's conversation.
//!
//! Each socket is split; one task `select!`s between the hub's channels and the client's
//! frames. Every socket tracks the last `seq` it delivered per conversation: events arrive
//! once, in order, and a gap (a lagging receiver, or a resume) is filled from the store.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::auth;
use app::domain::{Agent, Answering, ConversationId, Event, Writer};
use app::error::ApiError;
use app::live::{ClientFrame, ServerFrame, Typist};
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::{Sink, SinkExt, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::http::{error_response, origin_allowed, AppState};
use crate::hub::Published;

/// The largest frame a client may send.
pub const MAX_CLIENT_FRAME: usize = 8 * 1024;
/// Events read from the store per query while catching up.
const REPLAY_PAGE: u32 = 500;
/// At most one typing signal per socket in this interval.
const TYPING_INTERVAL: Duration = Duration::from_millis(1_500);
/// Conversations one dashboard socket follows closely (resume and gap repair).
const MAX_WATCHED: usize = 16;

/// A socket error: the client went away.
type Gone = ();

/// The query of `/ws/chat`.
#[derive(Debug, Deserialize)]
pub struct ChatSocketQuery {
    conversation_id: String,
    token: String,
    after_seq: Option<u64>,
}

/// Upgrades a customer's socket after checking their token.
pub async fn customer_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ChatSocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return error_response(&ApiError::forbidden(
            "This request came from another site and was refused",
        ));
    }
    let id = match ConversationId::parse(&query.conversation_id) {
        Ok(id) => id,
        Err(err) => return error_response(&err.into()),
    };
    // Subscribe before reading the store and before the handshake completes, so nothing
    // committed from the moment the client is connected is missed.
    let events = state.hub.subscribe(id);
    let live = state.hub.subscribe_live();
    let conversation = match auth::customer_conversation(&state.services, id, &query.token).await {
        Ok(conversation) => conversation,
        Err(err) => return error_response(&err),
    };
    let start = Start {
        cursor: query.after_seq.unwrap_or(conversation.last_seq),
        replay: query.after_seq.is_some(),
        events,
        live,
    };
    configure(upgrade).on_upgrade(move |socket| async move {
        let (sink, stream) = socket.split();
        let _ = customer_session(state, id, start, sink, stream).await;
    })
}

/// Upgrades a signed-in agent's socket (session cookie and Origin checked).
pub async fn agent_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return error_response(&ApiError::forbidden(
            "This request came from another site and was refused",
        ));
    }
    let agent = match auth::agent_from_headers(&state.services, &headers).await {
        Ok(agent) => agent,
        Err(err) => return error_response(&err),
    };
    // Subscribed before the handshake completes: the socket hears its own arrival, and
    // nothing committed after the client is connected is missed.
    let team = state.hub.subscribe_team();
    let live = state.hub.subscribe_live();
    configure(upgrade).on_upgrade(move |socket| async move {
        let (sink, stream) = socket.split();
        let _ = agent_session(state, agent, (team, live), sink, stream).await;
    })
}

/// Small buffers: most sockets are idle, and the defaults allocate 128 KiB per read buffer.
fn configure(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
}

async fn send<S>(sink: &mut S, frame: &ServerFrame) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
{
    let text = serde_json::to_string(frame).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}

/// What arrived from the client.
enum Incoming {
    Frame(ClientFrame),
    /// A frame that is not ours: the client is told why.
    Invalid(String),
    /// Control frames the socket layer answers itself.
    Control,
    /// The client left.
    Gone,
}

fn parse(message: Option<Result<Message, axum::Error>>) -> Incoming {
    match message {
        Some(Ok(Message::Text(text))) => match serde_json::from_str(&text) {
            Ok(frame) => Incoming::Frame(frame),
            Err(err) => Incoming::Invalid(format!("unreadable frame: {err}")),
        },
        Some(Ok(Message::Binary(_))) => Incoming::Invalid("frames are JSON text".into()),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Control,
        Some(Ok(Message::Close(_)) | Err(_)) | None => Incoming::Gone,
    }
}

/// Where a customer's socket starts.
pub struct Start {
    /// The last seq the client has.
    cursor: u64,
    /// Whether to send what came after `cursor` first.
    replay: bool,
    events: tokio::sync::broadcast::Receiver<Arc<Published>>,
    live: tokio::sync::broadcast::Receiver<Arc<ServerFrame>>,
}

/// A customer's socket: their conversation's visible events, and the owner's typing.
pub async fn customer_session<S, R>(
    state: AppState,
    id: ConversationId,
    start: Start,
    mut sink: S,
    mut stream: R,
) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let Start {
        mut cursor,
        replay,
        mut events,
        mut live,
    } = start;
    if replay {
        cursor = replay_customer(&state, id, cursor, &mut sink).await?;
    }
    let mut last_typing = Instant::now() - TYPING_INTERVAL;
    let result = loop {
        tokio::select! {
            published = events.recv() => match published {
                Ok(published) => {
                    cursor = deliver_customer(&state, &published, cursor, &mut sink).await?;
                }
                // Fell behind the channel: catch up from the store.
                Err(RecvError::Lagged(_)) => {
                    cursor = replay_customer(&state, id, cursor, &mut sink).await?;
                }
                Err(RecvError::Closed) => break Ok(()),
            },
            signal = live.recv() => match signal {
                Ok(frame) => {
                    if let ServerFrame::Typing { conversation_id, from: Typist::Agent { .. } } = frame.as_ref() {
                        if *conversation_id == id {
                            send(&mut sink, &frame).await?;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break Ok(()),
            },
            incoming = stream.next() => match parse(incoming) {
                Incoming::Gone => break Ok(()),
                Incoming::Control => {}
                Incoming::Invalid(message) => send(&mut sink, &ServerFrame::Error { message }).await?,
                Incoming::Frame(ClientFrame::Resume { after_seq }) => {
                    cursor = replay_customer(&state, id, after_seq, &mut sink).await?;
                }
                Incoming::Frame(ClientFrame::Typing { .. }) => {
                    if last_typing.elapsed() >= TYPING_INTERVAL {
                        last_typing = Instant::now();
                        state.hub.typing(id, Typist::Customer);
                    }
                }
                Incoming::Frame(ClientFrame::Ping) => send(&mut sink, &ServerFrame::Pong).await?,
                Incoming::Frame(ClientFrame::Watch { .. }) => {
                    send(&mut sink, &ServerFrame::Error { message: "customers follow their own conversation only".into() }).await?;
                }
            },
        }
    };
    drop(events);
    state.hub.release(id);
    result
}

/// Sends the customer what `published` adds after `cursor`; repairs a gap from the store.
async fn deliver_customer<S>(
    state: &AppState,
    published: &Published,
    cursor: u64,
    sink: &mut S,
) -> Result<u64, Gone>
where
    S: Sink<Message> + Unpin,
{
    let Some(first) = published.events.first() else {
        return Ok(cursor);
    };
    if first.seq > cursor + 1 {
        return replay_customer(state, published.conversation.id, cursor, sink).await;
    }
    let fresh: Vec<&Event> = published.events.iter().filter(|e| e.seq > cursor).collect();
    let Some(last) = fresh.last().map(|e| e.seq) else {
        return Ok(cursor);
    };
    let frame = ServerFrame::Events {
        conversation_id: published.conversation.id,
        events: fresh.into_iter().filter_map(Event::customer_view).collect(),
        conversation: None,
        answering: Some(Answering::of(&published.conversation)),
    };
    send(sink, &frame).await?;
    Ok(last)
}

/// Sends the customer every visible event after `cursor` from the store; returns the new cursor.
async fn replay_customer<S>(
    state: &AppState,
    id: ConversationId,
    cursor: u64,
    sink: &mut S,
) -> Result<u64, Gone>
where
    S: Sink<Message> + Unpin,
{
    let conversation = state
        .services
        .store
        .conversation(id)
        .await
        .map_err(|_| ())?;
    let answering = Answering::of(&conversation);
    replay(state, id, cursor, sink, |page| ServerFrame::Events {
        conversation_id: id,
        events: page.iter().filter_map(Event::customer_view).collect(),
        conversation: None,
        answering: Some(answering.clone()),
    })
    .await
}

/// Sends every event of `id` after `cursor` from the store, a page per frame as `frame`
/// shapes it; returns the last seq sent.
async fn replay<S>(
    state: &AppState,
    id: ConversationId,
    mut cursor: u64,
    sink: &mut S,
    frame: impl Fn(Vec<Event>) -> ServerFrame,
) -> Result<u64, Gone>
where
    S: Sink<Message> + Unpin,
{
    loop {
        let page = state
            .services
            .store
            .events(id, cursor, REPLAY_PAGE)
            .await
            .map_err(|_| ())?;
        let Some(last) = page.last().map(|e| e.seq) else {
            return Ok(cursor);
        };
        let full = page.len() == REPLAY_PAGE as usize;
        send(sink, &frame(page)).await?;
        cursor = last;
        if !full {
            return Ok(cursor);
        }
    }
}

/// An agent's socket: every conversation's events, typing, presence; resume per watched
/// conversation.
pub async fn agent_session<S, R>(
    state: AppState,
    agent: Agent,
    (mut team, mut live): (
        tokio::sync::broadcast::Receiver<Arc<Published>>,
        tokio::sync::broadcast::Receiver<Arc<ServerFrame>>,
    ),
    mut sink: S,
    mut stream: R,
) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let _presence = state.hub.connect(&agent);
    // Conversation → last seq delivered, for the conversations the dashboard has open.
    let mut watched: HashMap<ConversationId, u64> = HashMap::new();
    let mut last_typing = Instant::now() - TYPING_INTERVAL;
    loop {
        tokio::select! {
            published = team.recv() => match published {
                Ok(published) => deliver_agent(&state, &published, &mut watched, &mut sink).await?,
                Err(RecvError::Lagged(_)) => {
                    send(&mut sink, &ServerFrame::Resync).await?;
                    for (id, cursor) in watched.iter_mut() {
                        *cursor = replay_agent(&state, *id, *cursor, &mut sink).await?;
                    }
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            signal = live.recv() => match signal {
                Ok(frame) => {
                    let forward = match frame.as_ref() {
                        ServerFrame::Typing { from: Typist::Agent { name }, .. } => {
                            *name != agent.display_name.to_string()
                        }
                        _ => true,
                    };
                    if forward {
                        send(&mut sink, &frame).await?;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = stream.next() => match parse(incoming) {
                Incoming::Gone => return Ok(()),
                Incoming::Control => {}
                Incoming::Invalid(message) => send(&mut sink, &ServerFrame::Error { message }).await?,
                Incoming::Frame(ClientFrame::Watch { conversation_id, after_seq }) => {
                    if watched.len() >= MAX_WATCHED && !watched.contains_key(&conversation_id) {
                        if let Some(oldest) = watched.keys().next().copied() {
                            watched.remove(&oldest);
                        }
                    }
                    let cursor = replay_agent(&state, conversation_id, after_seq, &mut sink).await?;
                    watched.insert(conversation_id, cursor);
                }
                Incoming::Frame(ClientFrame::Typing { conversation_id: Some(id) }) => {
                    if last_typing.elapsed() >= TYPING_INTERVAL {
                        last_typing = Instant::now();
                        let may_write = state
                            .services
                            .store
                            .conversation(id)
                            .await
                            .is_ok_and(|c| c.mode.may_write(Writer::Agent(agent.id)).is_ok());
                        if may_write {
                            state.hub.typing(id, Typist::Agent { name: agent.display_name.to_string() });
                        }
                    }
                }
                Incoming::Frame(ClientFrame::Typing { conversation_id: None }) => {}
                Incoming::Frame(ClientFrame::Ping) => send(&mut sink, &ServerFrame::Pong).await?,
                Incoming::Frame(ClientFrame::Resume { .. }) => {
                    send(&mut sink, &ServerFrame::Error { message: "agents resume with watch".into() }).await?;
                }
            },
        }
    }
}

/// Sends an agent a committed change; watched conversations get gap repair and no repeats.
async fn deliver_agent<S>(
    state: &AppState,
    published: &Published,
    watched: &mut HashMap<ConversationId, u64>,
    sink: &mut S,
) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
{
    let id = published.conversation.id;
    let Some(cursor) = watched.get(&id).copied() else {
        let frame = ServerFrame::Events {
            conversation_id: id,
            events: published.events.clone(),
            conversation: Some(Box::new(published.conversation.clone())),
            answering: None,
        };
        return send(sink, &frame).await;
    };
    let first = published.events.first().map_or(0, |e| e.seq);
    let next = if first > cursor + 1 {
        replay_agent(state, id, cursor, sink).await?
    } else {
        let fresh: Vec<Event> = published
            .events
            .iter()
            .filter(|e| e.seq > cursor)
            .cloned()
            .collect();
        let next = fresh.last().map_or(cursor, |e| e.seq);
        let frame = ServerFrame::Events {
            conversation_id: id,
            events: fresh,
            conversation: Some(Box::new(published.conversation.clone())),
            answering: None,
        };
        send(sink, &frame).await?;
        next
    };
    watched.insert(id, next);
    Ok(())
}

/// Sends an agent every event of `id` after `cursor` from the store; returns the new cursor.
async fn replay_agent<S>(
    state: &AppState,
    id: ConversationId,
    cursor: u64,
    sink: &mut S,
) -> Result<u64, Gone>
where
    S: Sink<Message> + Unpin,
{
    let Ok(conversation) = state.services.store.conversation(id).await else {
        send(
            sink,
            &ServerFrame::Error {
                message: "No such conversation".into(),
            },
        )
        .await?;
        return Ok(cursor);
    };
    replay(state, id, cursor, sink, |page| ServerFrame::Events {
        conversation_id: id,
        events: page,
        conversation: Some(Box::new(conversation.clone())),
        answering: None,
    })
    .await
}
