//! Idle capacity: how many customer sockets one server holds, and its memory per socket.

use std::time::{Duration, Instant};

use futures::future::join_all;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::child::Server;
use crate::report::Report;
use crate::target::{http_client, socket_config, Target};
use crate::Settings;

/// Sockets opened at once while ramping up.
const RAMP: usize = 250;
/// How long every socket has to answer its ping.
const PING_WAIT: Duration = Duration::from_secs(30);

pub async fn run(
    report: &mut Report,
    name: &str,
    target: &Target,
    server: &Server,
    settings: &Settings,
) {
    let client = http_client();
    let conversations = target
        .start_many(&client, settings.sockets, "Idle", 64)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss_bytes();

    let ramp = Instant::now();
    let mut sockets = Vec::with_capacity(settings.sockets);
    let mut refused = 0usize;
    for chunk in conversations.chunks(RAMP) {
        let opened = join_all(chunk.iter().map(|c| {
            tokio_tungstenite::connect_async_with_config(
                target.customer_socket(c),
                Some(socket_config()),
                true,
            )
        }))
        .await;
        for socket in opened {
            match socket {
                Ok((socket, _)) => sockets.push(socket),
                Err(err) => {
                    if refused == 0 {
                        eprintln!("a socket was refused: {err}");
                    }
                    refused += 1;
                }
            }
        }
    }
    let ramp = ramp.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = server.rss_bytes();

    // Every socket must still be alive: each one is pinged and must answer.
    let deadline = tokio::time::Instant::now() + PING_WAIT;
    let ping = target.ping();
    let answered = join_all(sockets.iter_mut().map(|socket| async move {
        if socket.send(Message::Text(ping.into())).await.is_err() {
            return false;
        }
        loop {
            match tokio::time::timeout_at(deadline, socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) if text.contains("pong") => return true,
                Ok(Some(Ok(_))) => continue,
                _ => return false,
            }
        }
    }))
    .await
    .into_iter()
    .filter(|ok| *ok)
    .count();
    let open = sockets.len();
    drop(sockets);

    let per_socket = after.saturating_sub(before) as f64 / open.max(1) as f64;
    report.capacity(
        name, open, answered, refused, before, after, per_socket, ramp,
    );
}
