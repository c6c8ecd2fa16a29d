//! The browser's end of the realtime sockets: connects, reconnects with backoff, and hands
//! every frame to the page. Each (re)connection first sends what the page says it has, so
//! it receives exactly what it missed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use leptos::prelude::*;

use crate::live::{ClientFrame, ServerFrame};

/// The close code of a server that is shutting down ("service restart"): reconnect at once.
#[cfg_attr(not(feature = "csr"), allow(dead_code))]
const RESTARTING: u16 = 1012;
/// The close code of a socket whose agent session has ended: never reconnect.
#[cfg_attr(not(feature = "csr"), allow(dead_code))]
const SESSION_ENDED: u16 = 4401;

/// The state of the link, for the "reconnecting" banner.
#[cfg_attr(not(feature = "csr"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Opening for the first time.
    Connecting,
    /// Connected.
    Open,
    /// Lost; trying again.
    Reconnecting,
    /// Closed for good by the server: the agent's session has ended.
    Ended,
}

/// A live socket owned by a component; it closes when the component goes away. Components
/// below the one that opened it reach it with `expect_context::<LiveSocket>()`.
#[derive(Clone)]
pub struct LiveSocket {
    /// The link's state.
    pub link: RwSignal<Link>,
    outbox: Arc<Mutex<Option<futures::channel::mpsc::UnboundedSender<ClientFrame>>>>,
}

impl LiveSocket {
    /// A socket not connected yet: frames sent to it before [`LiveSocket::connect`] are dropped.
    pub fn new() -> Self {
        Self {
            link: RwSignal::new(Link::Connecting),
            outbox: Arc::new(Mutex::new(None)),
        }
    }

    /// Sends a frame if the socket is open (frames are hints: nothing is lost by dropping
    /// one while offline, since every reconnection resumes by seq).
    pub fn send(&self, frame: ClientFrame) {
        if let Some(outbox) = self.outbox.lock().ok().and_then(|o| o.clone()) {
            let _ = outbox.unbounded_send(frame);
        }
    }

    /// Opens `path` (e.g. `/ws`) on this page's host until the calling component goes away,
    /// offering `protocols` (the customer's socket carries its token there, never in the
    /// URL). `hello` gives the frames to send on every (re)connection; `on_frame` receives
    /// every frame the server sends. Neither is called once the component is gone.
    pub fn connect(
        &self,
        path: String,
        protocols: Vec<String>,
        hello: impl Fn() -> Vec<ClientFrame> + 'static,
        on_frame: impl Fn(ServerFrame) + 'static,
    ) {
        let stopped = Arc::new(AtomicBool::new(false));
        {
            let stopped = stopped.clone();
            let outbox = self.outbox.clone();
            on_cleanup(move || {
                stopped.store(true, Ordering::Relaxed);
                // Dropping the sender wakes the loop, which then closes the socket.
                if let Ok(mut outbox) = outbox.lock() {
                    *outbox = None;
                }
            });
        }
        run(
            self.clone(),
            (path, protocols),
            stopped,
            Box::new(hello),
            Box::new(on_frame),
        );
    }
}

impl Default for LiveSocket {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "csr")]
fn run(
    socket: LiveSocket,
    (path, protocols): (String, Vec<String>),
    stopped: Arc<AtomicBool>,
    hello: Box<dyn Fn() -> Vec<ClientFrame>>,
    on_frame: Box<dyn Fn(ServerFrame)>,
) {
    use futures::{SinkExt, StreamExt};
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::{Message, WebSocketError};

    leptos::task::spawn_local(async move {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        let url = format!("{scheme}://{host}{path}");
        let mut attempt: u32 = 0;
        while !stopped.load(Ordering::Relaxed) {
            // Set when the server said it is restarting (close code 1012): come back at once.
            let mut restarting = false;
            let opened = if protocols.is_empty() {
                WebSocket::open(&url)
            } else {
                WebSocket::open_with_protocols(&url, &protocols)
            };
            if let Ok(ws) = opened {
                let (mut write, mut read) = ws.split();
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                let (tx, mut rx) = futures::channel::mpsc::unbounded::<ClientFrame>();
                let mut greeted = true;
                for frame in hello() {
                    let text = serde_json::to_string(&frame).unwrap_or_default();
                    if write.send(Message::Text(text)).await.is_err() {
                        greeted = false;
                        break;
                    }
                }
                if greeted {
                    if let Ok(mut outbox) = socket.outbox.lock() {
                        *outbox = Some(tx);
                    }
                    socket.link.set(Link::Open);
                    attempt = 0;
                    loop {
                        if stopped.load(Ordering::Relaxed) {
                            let _ = write.close().await;
                            return;
                        }
                        match futures::future::select(read.next(), rx.next()).await {
                            futures::future::Either::Left((incoming, _)) => match incoming {
                                Some(Ok(Message::Text(text))) => {
                                    if stopped.load(Ordering::Relaxed) {
                                        let _ = write.close().await;
                                        return;
                                    }
                                    if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
                                        on_frame(frame);
                                    }
                                }
                                Some(Ok(Message::Bytes(_))) => {}
                                Some(Err(WebSocketError::ConnectionClose(close)))
                                    if close.code == RESTARTING =>
                                {
                                    restarting = true;
                                    break;
                                }
                                Some(Err(WebSocketError::ConnectionClose(close)))
                                    if close.code == SESSION_ENDED =>
                                {
                                    if let Ok(mut outbox) = socket.outbox.lock() {
                                        *outbox = None;
                                    }
                                    socket.link.set(Link::Ended);
                                    return;
                                }
                                Some(Err(_)) | None => break,
                            },
                            futures::future::Either::Right((Some(frame), _)) => {
                                let text = serde_json::to_string(&frame).unwrap_or_default();
                                if write.send(Message::Text(text)).await.is_err() {
                                    break;
                                }
                            }
                            // The page went away: its cleanup dropped the sender.
                            futures::future::Either::Right((None, _)) => break,
                        }
                    }
                    if let Ok(mut outbox) = socket.outbox.lock() {
                        *outbox = None;
                    }
                }
            }
            if stopped.load(Ordering::Relaxed) {
                return;
            }
            socket.link.set(Link::Reconnecting);
            let delay = if restarting {
                // Spread over half a second, so a node's sockets do not all return at once.
                (js_sys::Math::random() * 500.0) as u32
            } else {
                attempt = attempt.saturating_add(1);
                // 0.5 s, 1 s, 2 s, 4 s, then every 8 s.
                500u32.saturating_mul(1 << attempt.min(4).saturating_sub(1))
            };
            gloo_timers::future::TimeoutFuture::new(delay).await;
        }
    });
}

/// The server build never runs browser code.
#[cfg(not(feature = "csr"))]
fn run(
    _socket: LiveSocket,
    _target: (String, Vec<String>),
    _stopped: Arc<AtomicBool>,
    _hello: Box<dyn Fn() -> Vec<ClientFrame>>,
    _on_frame: Box<dyn Fn(ServerFrame)>,
) {
}
