//! Faults: the real binary killed mid-load, stopped politely, sockets that never read.
//! Whatever Baton acknowledged before a fault is there afterwards, exactly once, and clients
//! that retry or reconnect end up with everything, nothing doubled.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::live::ServerFrame;
use futures::future::join_all;
use futures::StreamExt;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::helpers::{client, ChildServer, PASSWORD};

/// How long a client keeps retrying through a restart before the test gives up.
const RETRY_FOR: Duration = Duration::from_secs(60);

/// Requests that got no answer (the server was down) and were retried, across the test.
static UNANSWERED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// POSTs until the server answers (connection errors and 5xx are retried with the same
/// body, as a client that did not get an answer would); the final status and body.
async fn post_retrying(http: &reqwest::Client, url: &str, body: &Value) -> (StatusCode, Value) {
    let deadline = tokio::time::Instant::now() + RETRY_FOR;
    loop {
        if let Ok(reply) = http.post(url).json(body).send().await {
            let status = reply.status();
            if !status.is_server_error() {
                let body = reply.json().await.unwrap_or(Value::Null);
                return (status, body);
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no answer from {url}"
        );
        UNANSWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A customer socket that reconnects after every drop and resumes from the last seq it
/// has: returns every seq it received, in order.
async fn follow_customer(
    ws_base: String,
    conversation: String,
    token: String,
    until: Arc<Mutex<Option<u64>>>,
) -> Vec<u64> {
    let mut seen: Vec<u64> = Vec::new();
    let deadline = tokio::time::Instant::now() + RETRY_FOR;
    loop {
        let after = seen.last().copied().unwrap_or(0);
        let mut request =
            format!("{ws_base}/ws/chat?conversation_id={conversation}&after_seq={after}")
                .into_client_request()
                .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            format!("baton.chat, baton.token.{token}").parse().unwrap(),
        );
        if let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request).await {
            loop {
                let done = *until.lock().unwrap();
                if done.is_some_and(|last| seen.last().copied().unwrap_or(0) >= last) {
                    let _ = socket.close(None).await;
                    return seen;
                }
                match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
                    Err(_) => continue,
                    Ok(Some(Ok(WsMessage::Text(text)))) => {
                        if let Ok(ServerFrame::Events { events, .. }) = serde_json::from_str(&text)
                        {
                            seen.extend(events.iter().map(|e| e.seq));
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(_)) | None) => break,
                }
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the socket never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts `count` conversations as customers named "Customer N": (conversation id, token).
async fn start_customers(url: &str, count: usize) -> Vec<(String, String)> {
    join_all((0..count).map(|n| async move {
        let (_, started) = post_retrying(
            &client(),
            &format!("{url}/api/chat/start"),
            &json!({ "display_name": format!("Customer {n}") }),
        )
        .await;
        (
            started["conversation_id"].as_str().unwrap().to_owned(),
            started["token"].as_str().unwrap().to_owned(),
        )
    }))
    .await
}

async fn sign_in(url: &str, email: &str) -> reqwest::Client {
    let http = client();
    let (status, _) = post_retrying(
        &http,
        &format!("{url}/api/agent/login"),
        &json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    http
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_load_keeps_everything_it_acknowledged_exactly_once() {
    let mut server = ChildServer::start().await;
    let url = server.url.clone();
    let ana = sign_in(&url, "ana@baton.dev").await;
    let budi = sign_in(&url, "budi@baton.dev").await;
    let budi_id = post_retrying(&budi, &format!("{url}/api/agent/me"), &json!({}))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let customers = start_customers(&url, 12).await;

    let followed_last: Arc<Mutex<Option<u64>>> = Arc::new(Mutex::new(None));
    let follower = tokio::spawn(follow_customer(
        url.replacen("http://", "ws://", 1),
        customers[0].0.clone(),
        customers[0].1.clone(),
        followed_last.clone(),
    ));

    // Customers send, each message with its own client_id, retried until acknowledged, and
    // go on until they have sent ten more after the restart.
    let restarted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let senders = customers.iter().enumerate().map(|(n, (id, token))| {
        let (url, id, token, acked) = (url.clone(), id.clone(), token.clone(), acked.clone());
        let restarted = restarted.clone();
        async move {
            let http = client();
            let mut after_restart = 0;
            for i in 0..2_000 {
                if restarted.load(std::sync::atomic::Ordering::Relaxed) {
                    after_restart += 1;
                    if after_restart > 10 {
                        break;
                    }
                }
                let client_id = format!("m{n}x{i}");
                let body = json!({ "conversation_id": id, "token": token,
                                   "client_id": client_id, "body": format!("message {i} from {n}") });
                let (status, _) = post_retrying(&http, &format!("{url}/api/chat/send"), &body).await;
                assert_eq!(status, StatusCode::OK, "{client_id}");
                acked.lock().unwrap().push((id.clone(), client_id));
            }
        }
    });
    // Ana takes over half of them and transfers each to Budi; acknowledged ones are kept.
    let transitions: Arc<Mutex<Vec<(String, &'static str)>>> = Arc::default();
    let handoffs = {
        let (url, transitions, budi_id) = (url.clone(), transitions.clone(), budi_id.clone());
        let ids: Vec<String> = customers
            .iter()
            .step_by(2)
            .map(|(id, _)| id.clone())
            .collect();
        let (ana, budi) = (ana.clone(), budi.clone());
        async move {
            for id in ids {
                let pause = rand::thread_rng().gen_range(0..300);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                let (status, _) = post_retrying(
                    &ana,
                    &format!("{url}/api/conversations/takeover"),
                    &json!({ "conversation_id": id }),
                )
                .await;
                if status == StatusCode::OK {
                    transitions.lock().unwrap().push((id.clone(), "taken_over"));
                }
                // Budi is present on whichever process is running now.
                post_retrying(&budi, &format!("{url}/api/agent/me"), &json!({})).await;
                let (status, _) = post_retrying(
                    &ana,
                    &format!("{url}/api/conversations/transfer"),
                    &json!({ "conversation_id": id, "to_agent_id": budi_id, "note": "VIP" }),
                )
                .await;
                if status == StatusCode::OK {
                    transitions
                        .lock()
                        .unwrap()
                        .push((id.clone(), "transferred"));
                }
            }
        }
    };
    let kill_after = Duration::from_millis(rand::thread_rng().gen_range(200..800));
    let killer = async {
        tokio::time::sleep(kill_after).await;
        server.kill();
        server.launch().await;
        restarted.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    tokio::join!(join_all(senders), handoffs, killer);

    // Every log is gap-free; every acknowledged message is there once; no retried
    // client_id is stored twice; every acknowledged transition is there.
    let acked = acked.lock().unwrap().clone();
    let transitions = transitions.lock().unwrap().clone();
    let unanswered = UNANSWERED.load(std::sync::atomic::Ordering::Relaxed);
    assert!(unanswered > 0, "the kill hit requests in flight");
    eprintln!(
        "killed after {kill_after:?}: {} messages and {} transitions acknowledged, {unanswered} requests retried",
        acked.len(),
        transitions.len()
    );
    for (id, _) in &customers {
        let (status, detail) = post_retrying(
            &ana,
            &format!("{url}/api/conversations/get"),
            &json!({ "conversation_id": id }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let events = detail["events"].as_array().unwrap();
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u64).collect::<Vec<_>>(),
            "gap-free log of {id}"
        );
        let mut stored: HashMap<&str, usize> = HashMap::new();
        for event in events {
            if let Some(client_id) = event["message"]["client_id"].as_str() {
                *stored.entry(client_id).or_default() += 1;
            }
        }
        assert!(
            stored.values().all(|n| *n == 1),
            "a retry stored twice: {stored:?}"
        );
        for (_, client_id) in acked.iter().filter(|(c, _)| c == id) {
            assert_eq!(
                stored.get(client_id.as_str()),
                Some(&1),
                "{client_id} was acknowledged"
            );
        }
        for (_, kind) in transitions.iter().filter(|(c, _)| c == id) {
            assert!(
                events.iter().any(|e| e["type"] == *kind),
                "acknowledged {kind} of {id} is kept"
            );
        }
    }

    // The customer's socket reconnected and resumed: every visible event once, in order.
    let (id, token) = &customers[0];
    let (_, history) = post_retrying(
        &client(),
        &format!("{url}/api/chat/history"),
        &json!({ "conversation_id": id, "token": token }),
    )
    .await;
    let visible: Vec<u64> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    *followed_last.lock().unwrap() = visible.last().copied();
    let received = follower.await.unwrap();
    let unique: BTreeSet<u64> = received.iter().copied().collect();
    assert_eq!(
        unique.len(),
        received.len(),
        "nothing doubled: {received:?}"
    );
    assert!(
        received.windows(2).all(|w| w[0] < w[1]),
        "in order: {received:?}"
    );
    assert_eq!(received, visible, "nothing missing");
}

#[tokio::test]
async fn sigterm_tells_open_sockets_to_reconnect_and_exits_promptly() {
    let mut server = ChildServer::start().await;
    let url = server.url.clone();
    let (_, started) = post_retrying(&client(), &format!("{url}/api/chat/start"), &json!({})).await;
    let mut request = format!(
        "{}/ws/chat?conversation_id={}",
        url.replacen("http://", "ws://", 1),
        started["conversation_id"].as_str().unwrap()
    )
    .into_client_request()
    .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!(
            "baton.chat, baton.token.{}",
            started["token"].as_str().unwrap()
        )
        .parse()
        .unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    let (took, clean) = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();

    let mut close_code = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(5), socket.next()).await
    {
        if let WsMessage::Close(Some(frame)) = message {
            close_code = Some(u16::from(frame.code));
            break;
        }
    }
    assert_eq!(close_code, Some(1012), "service restart: reconnect");
    assert!(clean, "exit status 0");
    assert!(took < Duration::from_secs(10), "exited in {took:?}");
}

/// Opens an agent dashboard socket with `cookie` on the child server.
async fn dashboard(
    url: &str,
    cookie: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("{}/ws", url.replacen("http://", "ws://", 1))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("socket opens")
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sockets_that_never_read_cost_bounded_memory_and_slow_nobody_else() {
    let server = ChildServer::start().await;
    let url = server.url.clone();
    let login = client()
        .post(format!("{url}/api/agent/login"))
        .json(&json!({ "email": "ana@baton.dev", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // A hundred dashboards that never read a frame, and one that does.
    let stuck = join_all(
        (0..std::env::var("STUCK").map_or(100, |v| v.parse().unwrap()))
            .map(|_| dashboard(&url, &cookie)),
    )
    .await;
    let mut healthy = dashboard(&url, &cookie).await;
    let before = server.rss_kib();

    // 2,000 messages of 1.5 KB offered at 1,000 a second (20 customers, one every 20 ms
    // each); every one acknowledged, retried if need be.
    const CUSTOMERS: usize = 20;
    const EACH: usize = 100;
    let customers = start_customers(&url, CUSTOMERS).await;
    let body = "x".repeat(1_500);
    // When each message was sent, when its sender had the acknowledgement, and when the
    // healthy dashboard had it.
    type Times = Arc<Mutex<HashMap<String, std::time::Instant>>>;
    let (sent_at, acked_at): (Times, Times) = Default::default();
    let flood = join_all(customers.iter().enumerate().map(|(n, (id, token))| {
        let (url, body, sent_at, acked_at) =
            (url.clone(), body.clone(), sent_at.clone(), acked_at.clone());
        async move {
            let http = client();
            let mut pace = tokio::time::interval(Duration::from_millis(20));
            for i in 0..EACH {
                pace.tick().await;
                let client_id = format!("s{n}x{i}");
                sent_at
                    .lock()
                    .unwrap()
                    .insert(client_id.clone(), std::time::Instant::now());
                let message = json!({ "conversation_id": id, "token": token,
                                      "client_id": client_id, "body": body });
                let (status, _) =
                    post_retrying(&http, &format!("{url}/api/chat/send"), &message).await;
                assert_eq!(status, StatusCode::OK);
                acked_at
                    .lock()
                    .unwrap()
                    .insert(client_id, std::time::Instant::now());
            }
        }
    }));
    let reading = async {
        let mut delivered = HashMap::new();
        while delivered.len() < CUSTOMERS * EACH {
            let next = tokio::time::timeout(Duration::from_secs(20), healthy.next()).await;
            let Ok(Some(Ok(WsMessage::Text(text)))) = next else {
                panic!(
                    "the healthy dashboard stalled after {} messages",
                    delivered.len()
                );
            };
            if let Ok(ServerFrame::Events { events, .. }) = serde_json::from_str(&text) {
                for event in events {
                    if let app::domain::EventKind::Message { message } = &event.kind {
                        if let Some(client_id) = message.client_id.clone() {
                            delivered.insert(client_id, std::time::Instant::now());
                        }
                    }
                }
            }
        }
        delivered
    };
    let started = std::time::Instant::now();
    let (_, delivered) = tokio::join!(flood, reading);
    let took = started.elapsed();
    let after = server.rss_kib();

    assert_eq!(
        delivered.len(),
        CUSTOMERS * EACH,
        "the reading dashboard got every message"
    );
    let (sent_at, acked_at) = (sent_at.lock().unwrap(), acked_at.lock().unwrap());
    let percentiles = |mut lags: Vec<Duration>| {
        lags.sort();
        (lags[lags.len() / 2], lags[lags.len() * 99 / 100])
    };
    // From sending to the healthy dashboard: what the whole server's load costs (on a busy
    // machine, mostly the debug build's AI answering every message).
    let (p50, p99) = percentiles(
        delivered
            .iter()
            .map(|(id, at)| at.duration_since(sent_at[id]))
            .collect(),
    );
    // From the sender's acknowledgement to the healthy dashboard: what the fan-out adds. A
    // fan-out that waited on the stuck sockets would put this in seconds and growing.
    let (behind_p50, behind_p99) = percentiles(
        delivered
            .iter()
            .map(|(id, at)| at.saturating_duration_since(acked_at[id]))
            .collect(),
    );
    eprintln!(
        "{} stuck sockets, {} messages in {took:?} ({:.0}/s): healthy dashboard p50 {p50:?}, \
         p99 {p99:?} after sending, p50 {behind_p50:?}, p99 {behind_p99:?} after the \
         acknowledgement; server RSS {before} KiB → {after} KiB",
        stuck.len(),
        delivered.len(),
        delivered.len() as f64 / took.as_secs_f64()
    );
    // Queued for 100 sockets, 2,000 frames of ~2 KiB would be ~400 MiB.
    assert!(
        after.saturating_sub(before) < 150 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    // The healthy socket has each message about when its sender has the acknowledgement,
    // however slow the machine makes both (generous: a debug build on a busy machine).
    assert!(
        behind_p99 < Duration::from_secs(1),
        "the healthy dashboard trails the acknowledgements: p99 {behind_p99:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_every_message_acknowledged_before_it() {
    let server = ChildServer::start_on(None).await;
    let url = server.url.clone();
    let customers = start_customers(&url, 6).await;
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let senders = customers.iter().enumerate().map(|(n, (id, token))| {
        let (url, id, token, acked, stop) = (
            url.clone(),
            id.clone(),
            token.clone(),
            acked.clone(),
            stop.clone(),
        );
        async move {
            let http = client();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let client_id = format!("b{n}x{i}");
                let body = json!({ "conversation_id": id, "token": token,
                                   "client_id": client_id, "body": format!("order {i}") });
                let (status, _) =
                    post_retrying(&http, &format!("{url}/api/chat/send"), &body).await;
                assert_eq!(status, StatusCode::OK);
                acked.lock().unwrap().push((id.clone(), client_id));
                i += 1;
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let backup = {
        let (database_url, copy, acked, stop) = (
            server.database_url().to_owned(),
            copy.clone(),
            acked.clone(),
            stop.clone(),
        );
        async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let before = acked.lock().unwrap().clone();
            let output = tokio::task::spawn_blocking(move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
                    .args(["backup", copy.to_str().unwrap()])
                    .env("DATABASE_URL", database_url)
                    .env("RUST_LOG", "error")
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            (before, output)
        }
    };
    let (_, (before, output)) = tokio::join!(join_all(senders), backup);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let total = acked.lock().unwrap().len();
    assert!(total > before.len(), "the load went on during the backup");

    let restored = ChildServer::start_on(Some(format!("sqlite://{}", copy.display()))).await;
    let ana = sign_in(&restored.url, "ana@baton.dev").await;
    let mut stored: HashMap<String, usize> = HashMap::new();
    for (id, _) in &customers {
        let (_, detail) = post_retrying(
            &ana,
            &format!("{}/api/conversations/get", restored.url),
            &json!({ "conversation_id": id }),
        )
        .await;
        let events = detail["events"].as_array().unwrap();
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u64).collect::<Vec<_>>(),
            "gap-free"
        );
        for event in events {
            if let Some(client_id) = event["message"]["client_id"].as_str() {
                *stored.entry(client_id.to_owned()).or_default() += 1;
            }
        }
    }
    for (_, client_id) in &before {
        assert_eq!(
            stored.get(client_id),
            Some(&1),
            "{client_id} was acknowledged before the backup"
        );
    }
    eprintln!(
        "backup under load: {} messages acknowledged before it began, {} in the copy, {total} in all",
        before.len(),
        stored.len()
    );
}

/// Sends `body` through `urls[first]`, or the other node when that one does not answer (it
/// may be restarting), with the same `client_id` every time, until one acknowledges it.
async fn send_via_either(http: &reqwest::Client, urls: &[String; 2], first: usize, body: &Value) {
    let deadline = tokio::time::Instant::now() + RETRY_FOR;
    loop {
        for url in [&urls[first % 2], &urls[(first + 1) % 2]] {
            if let Ok(reply) = http
                .post(format!("{url}/api/chat/send"))
                .json(body)
                .send()
                .await
            {
                let status = reply.status();
                if status.is_success() {
                    return;
                }
                assert!(status.is_server_error(), "refused: {status}");
            }
            UNANSWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        assert!(tokio::time::Instant::now() < deadline, "no node answered");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_restarted_one_after_the_other_under_load_lose_nothing() {
    let Some(base) = crate::helpers::postgres_base() else {
        eprintln!("SKIPPED two_nodes_restarted_one_after_the_other_under_load_lose_nothing: needs PostgreSQL");
        return;
    };
    let database = crate::helpers::fresh_postgres_schema(&base).await;
    let mut one = ChildServer::start_on(Some(database.clone())).await;
    let mut two = ChildServer::start_on(Some(database)).await;
    let urls = [one.url.clone(), two.url.clone()];
    let customers = start_customers(&urls[0], 8).await;

    // Each customer writes without pause through both nodes, alternately.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(HashMap::<String, Vec<String>>::new()));
    let writers: Vec<_> = customers
        .iter()
        .cloned()
        .map(|(id, token)| {
            let (stop, acknowledged, urls) = (stop.clone(), acknowledged.clone(), urls.clone());
            tokio::spawn(async move {
                let http = client();
                let mut n = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body = format!("rolling {n}");
                    let message = json!({ "conversation_id": id, "token": token,
                                          "client_id": format!("r{n}"), "body": body });
                    send_via_either(&http, &urls, n, &message).await;
                    acknowledged
                        .lock()
                        .unwrap()
                        .entry(id.clone())
                        .or_default()
                        .push(body);
                    n += 1;
                }
            })
        })
        .collect();

    // Node one restarts, then node two, each while the other serves.
    for node in [&mut one, &mut two] {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let node_url = node.url.clone();
        let (took, clean) = tokio::task::block_in_place(|| node.terminate());
        assert!(
            clean && took < Duration::from_secs(10),
            "{node_url}: {took:?}"
        );
        node.launch().await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    join_all(writers).await;

    let acknowledged = acknowledged.lock().unwrap().clone();
    // Every customer wrote through the restarts (how much depends on the machine's load).
    assert_eq!(acknowledged.len(), customers.len());
    assert!(
        acknowledged.values().all(|sent| sent.len() >= 2),
        "the load ran: {:?}",
        acknowledged.values().map(Vec::len).collect::<Vec<_>>()
    );
    // The whole log, as an agent reads it (the customer's view leaves internal events out).
    let admin = sign_in(&urls[1], "admin@baton.dev").await;
    for (id, _) in &customers {
        let (_, detail) = post_retrying(
            &admin,
            &format!("{}/api/conversations/get", urls[1]),
            &json!({ "conversation_id": id }),
        )
        .await;
        let events = detail["events"].as_array().cloned().unwrap_or_default();
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert!(
            seqs.iter().copied().eq(1..=seqs.len() as u64),
            "gap-free: {seqs:?}"
        );
        let stored: Vec<&str> = events
            .iter()
            .filter(|e| e["message"]["author"]["kind"] == "customer")
            .map(|e| e["message"]["body"].as_str().unwrap())
            .collect();
        for body in &acknowledged[id] {
            let copies = stored.iter().filter(|s| **s == body.as_str()).count();
            assert_eq!(copies, 1, "{body} stored {copies} times in {id}");
        }
    }
}

/// Makes files unwritable, even for root and through descriptors already open (the
/// immutable attribute), until dropped.
struct Unwritable(Vec<std::path::PathBuf>);

impl Unwritable {
    /// None where the file system or user cannot set the attribute.
    fn set(paths: Vec<std::path::PathBuf>) -> Option<Self> {
        let done = std::process::Command::new("chattr")
            .arg("+i")
            .args(&paths)
            .status()
            .is_ok_and(|status| status.success());
        done.then_some(Self(paths))
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .args(&self.0)
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_file_that_cannot_be_written_fails_requests_fast_and_recovers_by_itself() {
    let app = crate::helpers::TestApp::spawn_on(String::new(), |_| {}).await;
    let file = std::path::PathBuf::from(app.database_url.trim_start_matches("sqlite://"));
    let agent = app.agent("ana@baton.dev").await;
    let mut customers = Vec::new();
    for n in 0..4 {
        customers.push(app.customer(&format!("Outage {n}")).await);
    }
    for (n, customer) in customers.iter().enumerate() {
        app.customer_send(customer, &format!("before-{n}"), "Before the outage")
            .await
            .ok();
    }
    app.wait_until_quiet(&customers[0]).await;

    let wal = file.with_file_name(format!(
        "{}-wal",
        file.file_name().unwrap().to_string_lossy()
    ));
    let Some(outage) = Unwritable::set(vec![file.clone(), wal]) else {
        eprintln!("skipped: `chattr +i` is not available here (needs root on ext4/xfs)");
        return;
    };

    // Every write during the outage is answered 503 at once, saying to retry; none hangs.
    for (n, customer) in customers.iter().enumerate() {
        let started = std::time::Instant::now();
        let reply = app
            .customer_send(customer, &format!("during-{n}"), "During the outage")
            .await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
        assert_eq!(reply.kind(), "unavailable");
        assert!(reply.message().contains("try again"), "{}", reply.message());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{n}: {:?}",
            started.elapsed()
        );
    }
    let takeover = agent.takeover(&app, &customers[0].id).await;
    assert_eq!(
        takeover.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{takeover:?}"
    );
    let http = client();
    let health: Value = http
        .get(format!("{}/health", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    let ready = http.get(format!("{}/ready", app.url)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Reads still work: the dashboard can see the conversation, unchanged.
    let detail = agent.get(&app, &customers[0].id).await;
    assert_eq!(detail["conversation"]["mode"]["kind"], "ai", "{detail}");

    drop(outage);
    // The server notices by itself (no request has to write first) within seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ready = http.get(format!("{}/ready", app.url)).send().await.unwrap();
        if ready.status() == StatusCode::OK {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still not ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The customers retry what was refused, some twice: each message is stored once.
    for (n, customer) in customers.iter().enumerate() {
        for _ in 0..2 {
            app.customer_send(customer, &format!("during-{n}"), "During the outage")
                .await
                .ok();
        }
    }
    agent.takeover(&app, &customers[0].id).await.ok();
    for customer in &customers {
        app.wait_until_quiet(customer).await;
        let history = app.history(customer).await;
        let sent: Vec<&str> = history["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|event| event["message"]["client_id"].as_str())
            .collect();
        let n = &customer.id;
        assert_eq!(sent.len(), 2, "{n}: {sent:?}");
        assert!(
            sent[0].starts_with("before-") && sent[1].starts_with("during-"),
            "{sent:?}"
        );
    }
}
