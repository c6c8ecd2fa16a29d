//! The WebSockets: `/ws` for signed-in agents, `/ws/chat` for a customer's conversation.
//!
//! Each socket is split; one task `select!`s between the hub's channels and the client's
//! frames. Every socket tracks the last `seq` it delivered per conversation: events arrive
//! once, in order, and a gap (a lagging receiver, or a resume) is filled from the store
//! ([`deliver`] and [`replay`] serve both kinds of socket).
//!
//! A handshake is checked in full before anything is held for it: the address's handshake
//! rate, the credentials, then a place among the address's and the conversation's sockets.
//! The customer's token travels in the `Sec-WebSocket-Protocol` header
//! (`baton.chat, baton.token.<token>`), never in the URL that proxies log. An agent's socket
//! lives only as long as its session: it is checked again every [`SESSION_RECHECK`], so
//! signing out, a disabled account, a reset password or an expired session closes it on
//! every node.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::auth::{self, ClientAddress};
use app::backend::Limit;
use app::domain::{
    Agent, Answering, Author, Conversation, ConversationId, Event, EventKind, QueueStatus, Writer,
};
use app::error::ApiError;
use app::live::{ClientFrame, ServerFrame, Typist};
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{Extension, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures::{Sink, SinkExt, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::guard::{cross_origin, error_response, origin_allowed};
use crate::hub::{Feed, Published, Refused};
use crate::state::AppState;

/// The largest frame a client may send.
pub const MAX_CLIENT_FRAME: usize = 8 * 1024;
/// The subprotocol a customer's socket speaks.
pub const CHAT_PROTOCOL: &str = "baton.chat";
/// The prefix of the subprotocol entry that carries the customer's token.
pub const TOKEN_PROTOCOL_PREFIX: &str = "baton.token.";
/// How often an agent's socket checks that its session is still valid.
pub const SESSION_RECHECK: Duration = Duration::from_secs(5);
/// The close code sent when an agent's session has ended.
pub const SESSION_ENDED: u16 = 4401;
/// The close code sent when the server shuts down (1012, "service restart"): clients
/// reconnect at once, to this node once it is back or to another one.
pub const RESTARTING: u16 = 1012;
/// A socket whose client has not taken a frame for this long is closed: it reconnects and
/// resumes by seq when it reads again. Until then its backlog is bounded by the write
/// buffer (1 MiB) and the shared channel, never by how much was published.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
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
    after_seq: Option<u64>,
}

/// The customer's token, from the `Sec-WebSocket-Protocol` header.
fn protocol_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|entry| entry.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
}

/// Counts a handshake from `address` against its rate.
fn handshake_allowed(state: &AppState, address: ClientAddress) -> Result<(), ApiError> {
    state
        .services
        .limit(Limit::HandshakePerAddress, &address.0.to_string())
}

/// The refusal of a socket over one of the caps.
fn full(refused: Refused) -> Response {
    let message = match refused {
        Refused::ConversationFull => "This conversation is open in too many windows",
        Refused::AddressFull => "Too many open chats from your network",
    };
    error_response(&ApiError::RateLimited {
        message: message.into(),
        retry_after_secs: 30,
    })
}

/// Upgrades a customer's socket after checking their token.
pub async fn customer_socket(
    State(state): State<AppState>,
    Extension(address): Extension<ClientAddress>,
    headers: HeaderMap,
    Query(query): Query<ChatSocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return cross_origin();
    }
    if let Err(refusal) = handshake_allowed(&state, address) {
        return error_response(&refusal);
    }
    let id = match ConversationId::parse(&query.conversation_id) {
        Ok(id) => id,
        Err(err) => return error_response(&err.into()),
    };
    let Some(token) = protocol_token(&headers) else {
        return error_response(&ApiError::unauthorized(
            "This chat link is not valid. Please start a new conversation",
        ));
    };
    // Nothing is held for a handshake until its token checks out.
    if let Err(err) = auth::check_customer(&state.services, id, token).await {
        return error_response(&err);
    }
    let slot = match state
        .hub
        .admit(address.0, state.config.max_sockets_per_address)
    {
        Ok(slot) => slot,
        Err(refused) => return full(refused),
    };
    // Subscribed before reading the conversation, so nothing committed from now is missed;
    // the subscription releases its channel however this handshake ends.
    let feed = match state
        .hub
        .subscribe(id, state.config.max_sockets_per_conversation)
    {
        Ok(feed) => feed,
        Err(refused) => return full(refused),
    };
    let conversation = match state.services.store.conversation(id).await {
        Ok(conversation) => conversation,
        Err(err) => return error_response(&err.into()),
    };
    let start = Start {
        cursor: query.after_seq.unwrap_or(conversation.last_seq),
        replay: query.after_seq.is_some(),
        feed,
    };
    configure(upgrade)
        .protocols([CHAT_PROTOCOL])
        .on_upgrade(move |socket| async move {
            let _slot = slot;
            let (sink, stream) = socket.split();
            let _counted = crate::metrics::get().socket("customer");
            let _ = customer_session(state, id, start, sink, stream).await;
        })
}

/// Upgrades a signed-in agent's socket (session cookie and Origin checked).
pub async fn agent_socket(
    State(state): State<AppState>,
    Extension(address): Extension<ClientAddress>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return cross_origin();
    }
    if let Err(refusal) = handshake_allowed(&state, address) {
        return error_response(&refusal);
    }
    let agent = match auth::agent_from_headers(&state.services, &headers).await {
        Ok(agent) => agent,
        Err(err) => return error_response(&err),
    };
    let Some(session) = auth::session_token_in(&headers) else {
        return error_response(&ApiError::unauthorized("Please sign in first"));
    };
    let slot = match state
        .hub
        .admit(address.0, state.config.max_sockets_per_address)
    {
        Ok(slot) => slot,
        Err(refused) => return full(refused),
    };
    // Subscribed before the handshake completes: the socket hears its own arrival, and
    // nothing committed after the client is connected is missed.
    let team = state.hub.subscribe_team();
    let live = state.hub.subscribe_live();
    configure(upgrade).on_upgrade(move |socket| async move {
        let _slot = slot;
        let (sink, stream) = socket.split();
        let session = AgentSession {
            agent,
            session_hash: auth::hash_token(&session),
            team,
            live,
        };
        let _counted = crate::metrics::get().socket("agent");
        let _ = agent_session(state, session, sink, stream).await;
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
    send_text(sink, text.into()).await
}

/// Sends an already serialised frame.
async fn send_text<S>(sink: &mut S, text: axum::extract::ws::Utf8Bytes) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
{
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text))).await {
        Ok(sent) => sent.map_err(|_| ()),
        // A client that stopped reading: let it go rather than hold its backlog.
        Err(_) => Err(()),
    }
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
    feed: crate::hub::Subscription,
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
        replay: resume,
        mut feed,
    } = start;
    let audience = Audience::Customer;
    if resume {
        cursor = replay(&state, audience, id, cursor, &mut sink).await?;
    }
    let closing = state.hub.closing();
    tokio::pin!(closing);
    // Where the customer stands now; the board pushes every change after. A shutdown
    // meanwhile still says goodbye.
    let status = tokio::select! {
        () = &mut closing => return say_goodbye(&mut sink).await,
        status = state.board.status_of(id) => status,
    };
    if status != QueueStatus::NotWaiting {
        send(&mut sink, &ServerFrame::Queue { status }).await?;
    }
    let mut last_typing = Instant::now() - TYPING_INTERVAL;
    loop {
        tokio::select! {
            () = &mut closing => return say_goodbye(&mut sink).await,
            item = feed.recv() => match item {
                Ok(Feed::Committed(published)) => {
                    cursor = deliver(&state, audience, &published, cursor, &mut sink).await?;
                }
                Ok(Feed::Typing(frame) | Feed::Queue(frame)) => send(&mut sink, &frame).await?,
                // Fell behind the channel: catch up from the store.
                Err(RecvError::Lagged(_)) => {
                    cursor = replay(&state, audience, id, cursor, &mut sink).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = stream.next() => match parse(incoming) {
                Incoming::Gone => return Ok(()),
                Incoming::Control => {}
                Incoming::Invalid(message) => send(&mut sink, &ServerFrame::Error { message }).await?,
                Incoming::Frame(ClientFrame::Resume { after_seq }) => {
                    cursor = replay(&state, audience, id, after_seq, &mut sink).await?;
                }
                Incoming::Frame(ClientFrame::Typing { .. }) => {
                    // Every keystroke counts for the AI's wait; the dashboards hear fewer.
                    state.services.customer_typing.typed(id);
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
    }
}

/// Closes a socket because the server is shutting down: the client reconnects at once.
async fn say_goodbye<S>(sink: &mut S) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
{
    let close = CloseFrame {
        code: RESTARTING,
        reason: "server restarting: reconnect".into(),
    };
    let _ = sink.send(Message::Close(Some(close))).await;
    Ok(())
}

/// Who a socket serves, which decides how its frames are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// The customer: only what they may see, and who answers them.
    Customer,
    /// An agent: every event, and the conversation after them.
    Agent,
}

impl Audience {
    fn frame(self, conversation: &Conversation, events: &[Event]) -> ServerFrame {
        match self {
            Audience::Customer => ServerFrame::Events {
                conversation_id: conversation.id,
                events: events.iter().filter_map(Event::customer_view).collect(),
                conversation: None,
                answering: Some(Answering::of(conversation)),
            },
            Audience::Agent => ServerFrame::Events {
                conversation_id: conversation.id,
                events: events.to_vec(),
                conversation: Some(Box::new(conversation.clone())),
                answering: None,
            },
        }
    }
}

/// The frame every socket of `audience` sends for all of `published`, serialised by the
/// first socket that needs it and shared by the others.
fn shared_frame(
    audience: Audience,
    published: &Published,
) -> Result<axum::extract::ws::Utf8Bytes, Gone> {
    let cached = match audience {
        Audience::Agent => &published.agent_frame,
        Audience::Customer => &published.customer_frame,
    };
    if let Some(text) = cached.get() {
        return Ok(text.clone());
    }
    let frame = audience.frame(&published.conversation, &published.events);
    let text: axum::extract::ws::Utf8Bytes = serde_json::to_string(&frame).map_err(|_| ())?.into();
    Ok(cached.get_or_init(|| text).clone())
}

/// Sends what `published` adds after `cursor` (the last seq this socket has); a gap is
/// repaired from the store. Returns the new cursor.
async fn deliver<S>(
    state: &AppState,
    audience: Audience,
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
        return replay(state, audience, published.conversation.id, cursor, sink).await;
    }
    let fresh: Vec<Event> = published
        .events
        .iter()
        .filter(|e| e.seq > cursor)
        .cloned()
        .collect();
    let Some(last) = fresh.last().map(|e| e.seq) else {
        return Ok(cursor);
    };
    if fresh.len() == published.events.len() {
        // The usual case: this socket sends what every socket of its kind sends.
        send_text(sink, shared_frame(audience, published)?).await?;
    } else {
        send(sink, &audience.frame(&published.conversation, &fresh)).await?;
    }
    if audience == Audience::Agent {
        let now = app::backend::Clock::now(&app::backend::SystemClock).millis();
        for event in &fresh {
            if let EventKind::Message { message } = &event.kind {
                if message.author == Author::Customer {
                    let latency = (now - event.at.millis()).max(0) as u64;
                    crate::metrics::get().delivered(Duration::from_millis(latency));
                }
            }
        }
    }
    Ok(last)
}

/// Sends every event of `id` after `cursor` from the store, a page per frame; returns the
/// last seq sent.
async fn replay<S>(
    state: &AppState,
    audience: Audience,
    id: ConversationId,
    mut cursor: u64,
    sink: &mut S,
) -> Result<u64, Gone>
where
    S: Sink<Message> + Unpin,
{
    let Ok(conversation) = state.services.store.conversation(id).await else {
        let message = "No such conversation".into();
        send(sink, &ServerFrame::Error { message }).await?;
        return Ok(cursor);
    };
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
        send(sink, &audience.frame(&conversation, &page)).await?;
        cursor = last;
        if !full {
            return Ok(cursor);
        }
    }
}

/// The conversations a dashboard has open, oldest watch first, with the last seq each has.
#[derive(Debug, Default)]
struct Watched(Vec<(ConversationId, u64)>);

impl Watched {
    fn cursor(&self, id: ConversationId) -> Option<u64> {
        self.0.iter().find(|(c, _)| *c == id).map(|(_, seq)| *seq)
    }

    /// Records `id` at `cursor` as the newest watch; past [`MAX_WATCHED`] the oldest goes.
    fn watch(&mut self, id: ConversationId, cursor: u64) {
        self.0.retain(|(c, _)| *c != id);
        if self.0.len() >= MAX_WATCHED {
            self.0.remove(0);
        }
        self.0.push((id, cursor));
    }

    /// Moves the cursor of a watched conversation (keeps its place in the order).
    fn advance(&mut self, id: ConversationId, cursor: u64) {
        if let Some(entry) = self.0.iter_mut().find(|(c, _)| *c == id) {
            entry.1 = cursor;
        }
    }
}

/// A signed-in agent's socket, as the handshake left it.
pub struct AgentSession {
    agent: Agent,
    /// The stored form of the session token the socket was opened with.
    session_hash: String,
    team: tokio::sync::broadcast::Receiver<Arc<Published>>,
    live: tokio::sync::broadcast::Receiver<Arc<ServerFrame>>,
}

/// An agent's socket: every conversation's events, typing, presence; resume per watched
/// conversation. It ends when the agent's session does.
pub async fn agent_session<S, R>(
    state: AppState,
    session: AgentSession,
    mut sink: S,
    mut stream: R,
) -> Result<(), Gone>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let AgentSession {
        agent,
        session_hash,
        mut team,
        mut live,
    } = session;
    let audience = Audience::Agent;
    let _presence = state.hub.connect(&agent);
    let summary = state.board.summary();
    send(&mut sink, &ServerFrame::QueueSummary { summary }).await?;
    let mut watched = Watched::default();
    let mut last_typing = Instant::now() - TYPING_INTERVAL;
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.tick().await;
    let closing = state.hub.closing();
    tokio::pin!(closing);
    loop {
        tokio::select! {
            () = &mut closing => return say_goodbye(&mut sink).await,
            _ = recheck.tick() => {
                let now = state.services.now();
                if let Ok(None) = state.services.store.session_agent(&session_hash, now).await {
                    let message = "Your session has ended. Please sign in again".to_owned();
                    send(&mut sink, &ServerFrame::Error { message }).await?;
                    let close = CloseFrame { code: SESSION_ENDED, reason: "session ended".into() };
                    let _ = sink.send(Message::Close(Some(close))).await;
                    return Ok(());
                }
            }
            published = team.recv() => match published {
                Ok(published) => {
                    let id = published.conversation.id;
                    match watched.cursor(id) {
                        Some(cursor) => {
                            let next = deliver(&state, audience, &published, cursor, &mut sink).await?;
                            watched.advance(id, next);
                        }
                        None => send_text(&mut sink, shared_frame(audience, &published)?).await?,
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    send(&mut sink, &ServerFrame::Resync).await?;
                    for (id, cursor) in watched.0.iter_mut() {
                        *cursor = replay(&state, audience, *id, *cursor, &mut sink).await?;
                    }
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            signal = live.recv() => match signal {
                Ok(frame) => {
                    let own_typing = matches!(
                        frame.as_ref(),
                        ServerFrame::Typing { from: Typist::Agent { name }, .. } if *name == agent.display_name.to_string()
                    );
                    if !own_typing {
                        send(&mut sink, &frame).await?;
                    }
                }
                // Signals are not stored: a dashboard that missed some refetches the list
                // and the team.
                Err(RecvError::Lagged(_)) => send(&mut sink, &ServerFrame::Resync).await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = stream.next() => match parse(incoming) {
                Incoming::Gone => return Ok(()),
                Incoming::Control => {}
                Incoming::Invalid(message) => send(&mut sink, &ServerFrame::Error { message }).await?,
                Incoming::Frame(ClientFrame::Watch { conversation_id, after_seq }) => {
                    let cursor = replay(&state, audience, conversation_id, after_seq, &mut sink).await?;
                    watched.watch(conversation_id, cursor);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dashboard_that_opens_a_seventeenth_conversation_forgets_the_oldest() {
        let ids: Vec<ConversationId> = (0..=MAX_WATCHED).map(|_| ConversationId::new()).collect();
        let mut watched = Watched::default();
        for (n, id) in ids.iter().enumerate() {
            watched.watch(*id, n as u64);
        }
        assert_eq!(watched.cursor(ids[0]), None, "the oldest is gone");
        assert_eq!(watched.cursor(ids[1]), Some(1));
        assert_eq!(watched.cursor(ids[MAX_WATCHED]), Some(MAX_WATCHED as u64));
    }

    #[test]
    fn watching_again_makes_a_conversation_the_newest() {
        let ids: Vec<ConversationId> = (0..MAX_WATCHED).map(|_| ConversationId::new()).collect();
        let mut watched = Watched::default();
        for id in &ids {
            watched.watch(*id, 0);
        }
        watched.watch(ids[0], 9);
        watched.watch(ConversationId::new(), 0);
        assert_eq!(watched.cursor(ids[0]), Some(9), "re-watched, so kept");
        assert_eq!(watched.cursor(ids[1]), None, "now the oldest, so dropped");
    }

    #[test]
    fn the_token_is_read_from_the_subprotocol_list_only() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            "baton.chat, baton.token.abc123".parse().unwrap(),
        );
        assert_eq!(protocol_token(&headers), Some("abc123"));
        assert_eq!(protocol_token(&HeaderMap::new()), None);
    }
}
