//! The load run: customers with live sockets send messages over HTTP; each message is timed
//! from the customer's send call until the owning agent's dashboard socket receives it, and
//! checked: none lost, none twice, each conversation in the order sent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::{Author, Event, EventKind};
use futures::future::join_all;
use futures::StreamExt;
use hdrhistogram::Histogram;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::report::{latency_histogram, Report};
use crate::target::{http_client, socket_config, Conversation, Target};
use crate::Settings;

/// How long delivery may trail the last acknowledged send before the rest counts as lost.
const DRAIN: Duration = Duration::from_secs(10);

/// What one agent socket saw.
struct Seen {
    latencies: Histogram<u64>,
    /// Per conversation index: the message numbers, in arrival order.
    received: HashMap<usize, Vec<u64>>,
}

/// The outcome of one phase.
pub struct Outcome {
    pub sent: u64,
    pub acked: u64,
    pub failed: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub persisted: Option<u64>,
    pub wall: Duration,
    pub latencies: Histogram<u64>,
    pub server_cpu: f64,
}

impl Outcome {
    pub fn acked_per_s(&self) -> f64 {
        self.acked as f64 / self.wall.as_secs_f64()
    }
}

/// Runs the fixed-rate phase, then the saturation phase, against `target`.
pub async fn run(
    report: &mut Report,
    name: &str,
    target: &Target,
    settings: &Settings,
    cpu: impl Fn() -> f64,
) {
    let fixed = phase(target, settings, Some(settings.rate), &cpu).await;
    report.load(
        name,
        &format!("{} msg/s offered", settings.rate),
        settings,
        &fixed,
    );
    let saturated = phase(target, settings, None, &cpu).await;
    report.load(name, "saturation (back-to-back)", settings, &saturated);
}

fn body_of(conversation: usize, number: u64, sent_at: Duration) -> String {
    format!("load c{conversation} m{number} t{}", sent_at.as_micros())
}

fn parse_body(body: &str) -> Option<(usize, u64, u64)> {
    let mut parts = body.strip_prefix("load ")?.split(' ');
    let conversation = parts.next()?.strip_prefix('c')?.parse().ok()?;
    let number = parts.next()?.strip_prefix('m')?.parse().ok()?;
    let micros = parts.next()?.strip_prefix('t')?.parse().ok()?;
    Some((conversation, number, micros))
}

async fn phase(
    target: &Target,
    settings: &Settings,
    rate: Option<u32>,
    cpu: &impl Fn() -> f64,
) -> Outcome {
    let customers = http_client();
    let conversations = target
        .start_many(&customers, settings.conversations, "Load", 50)
        .await;

    // Agents sign in, take their share over, and open their dashboards.
    let emails: Vec<&str> = server::seed::DEMO_AGENTS.iter().map(|a| a.1).collect();
    let mut agent_headers = Vec::new();
    let mut agent_clients = Vec::new();
    for slot in 0..settings.agents {
        let client = http_client();
        let headers = target
            .agent_login(&client, emails[slot % emails.len()])
            .await
            .expect("agent signs in");
        agent_headers.push(headers);
        agent_clients.push(client);
    }
    let owner = |conversation: usize| conversation % settings.agents;
    join_all(conversations.iter().enumerate().map(|(i, c)| {
        let agent = &agent_clients[owner(i)];
        async move { target.take_over(agent, c).await.expect("takeover") }
    }))
    .await;
    let index: Arc<HashMap<String, usize>> = Arc::new(
        conversations
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect(),
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let delivered = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for (slot, headers) in agent_headers.iter().enumerate() {
        let (socket, _) = tokio_tungstenite::connect_async_with_config(
            target.agent_socket(headers),
            Some(socket_config()),
            true,
        )
        .await
        .expect("agent socket opens");
        let target = target.clone();
        let index = index.clone();
        let mut stop = stop_rx.clone();
        let delivered = delivered.clone();
        let agents = settings.agents;
        readers.push(tokio::spawn(async move {
            let epoch = *EPOCH;
            let mut seen = Seen {
                latencies: latency_histogram(),
                received: HashMap::new(),
            };
            let (_sink, mut stream) = socket.split();
            loop {
                let message = tokio::select! {
                    message = stream.next() => message,
                    _ = stop.changed() => break,
                };
                let Some(Ok(Message::Text(text))) = message else {
                    if message.is_none() {
                        break;
                    }
                    continue;
                };
                let now = epoch.elapsed().as_micros() as u64;
                for (conversation, body) in target.customer_messages(&text) {
                    let Some((number_in, number, sent)) = parse_body(&body) else {
                        continue;
                    };
                    if index.get(&conversation) != Some(&number_in) || number_in % agents != slot {
                        continue;
                    }
                    let _ = seen.latencies.record(now.saturating_sub(sent).max(1));
                    seen.received.entry(number_in).or_default().push(number);
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
            seen
        }));
    }
    // Customers' sockets: drained, as a phone would.
    let mut customer_sockets = Vec::new();
    for chunk in conversations.chunks(100) {
        let opened = join_all(chunk.iter().map(|c| {
            tokio_tungstenite::connect_async_with_config(
                target.customer_socket(c),
                Some(socket_config()),
                true,
            )
        }))
        .await;
        for socket in opened {
            let (socket, _) = socket.expect("customer socket opens");
            let mut stop = stop_rx.clone();
            customer_sockets.push(tokio::spawn(async move {
                let (_sink, mut stream) = socket.split();
                loop {
                    tokio::select! {
                        message = stream.next() => if message.is_none() { break },
                        _ = stop.changed() => break,
                    }
                }
            }));
        }
    }

    // Each customer sends in order, one message after the previous was acknowledged; at a
    // fixed rate each keeps its own schedule, in saturation each sends back-to-back.
    let cpu_before = cpu();
    let started = Instant::now();
    let until = started + settings.run_for;
    let failed = Arc::new(AtomicU64::new(0));
    let per_conversation = rate.map(|rate| {
        Duration::from_secs_f64(settings.conversations as f64 / f64::from(rate.max(1)))
    });
    let senders = conversations.iter().enumerate().map(|(i, conversation)| {
        let customers = customers.clone();
        let target = target.clone();
        let conversation = conversation.clone();
        let failed = failed.clone();
        async move {
            let mut acked = 0u64;
            let mut number = 0u64;
            // Spread the first sends over one interval.
            let offset = per_conversation
                .map(|every| every.mul_f64(i as f64 / settings.conversations as f64))
                .unwrap_or_default();
            let mut next = started + offset;
            while next < until {
                if per_conversation.is_some() {
                    tokio::time::sleep_until(next.into()).await;
                }
                let sent_at = EPOCH.elapsed();
                let body = body_of(i, number, sent_at);
                match target
                    .send(
                        &customers,
                        &conversation,
                        &format!("load-{i}-{number}"),
                        &body,
                    )
                    .await
                {
                    Ok(()) => {
                        acked += 1;
                        number += 1;
                    }
                    Err(err) => {
                        if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("a send failed: {err}");
                        }
                    }
                }
                next = match per_conversation {
                    Some(every) => next + every,
                    None => Instant::now(),
                };
            }
            acked
        }
    });
    let acked_per_conversation: Vec<u64> = join_all(senders).await;
    let wall = started.elapsed();
    let server_cpu = cpu() - cpu_before;
    let acked: u64 = acked_per_conversation.iter().sum();

    let drain_until = Instant::now() + DRAIN;
    while delivered.load(Ordering::Relaxed) < acked && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    let mut latencies = latency_histogram();
    let mut received: HashMap<usize, Vec<u64>> = HashMap::new();
    for reader in readers {
        let seen = reader.await.expect("reader");
        latencies.add(&seen.latencies).expect("histograms merge");
        received.extend(seen.received);
    }
    for socket in customer_sockets {
        let _ = socket.await;
    }

    let (mut lost, mut duplicated, mut out_of_order, mut delivered) = (0, 0, 0, 0);
    for (i, &sent) in acked_per_conversation.iter().enumerate() {
        let numbers = received.remove(&i).unwrap_or_default();
        delivered += numbers.len() as u64;
        out_of_order += numbers.windows(2).filter(|w| w[1] < w[0]).count() as u64;
        let mut unique = numbers.clone();
        unique.sort_unstable();
        unique.dedup();
        duplicated += (numbers.len() - unique.len()) as u64;
        lost += (0..sent)
            .filter(|n| unique.binary_search(n).is_err())
            .count() as u64;
    }

    let persisted = if target.is_baton() {
        Some(stored_customer_messages(target, &customers, &conversations).await)
    } else {
        None
    };
    // The owners close what they were given, as a floor does: the next phase (a soak's next
    // minute) starts from the same open load, not from every earlier phase's conversations
    // waiting in the queue for owners who left.
    join_all(conversations.iter().enumerate().map(|(i, c)| {
        let agent = &agent_clients[owner(i)];
        async move { target.close(agent, c).await.expect("owner closes") }
    }))
    .await;

    Outcome {
        sent: acked + failed.load(Ordering::Relaxed),
        acked,
        failed: failed.load(Ordering::Relaxed),
        delivered,
        lost,
        duplicated,
        out_of_order,
        persisted,
        wall,
        latencies,
        server_cpu,
    }
}

/// Counts the customer messages Baton has stored, read back through the customer's API.
async fn stored_customer_messages(
    target: &Target,
    client: &reqwest::Client,
    conversations: &[Conversation],
) -> u64 {
    let mut stored = 0;
    for chunk in conversations.chunks(50) {
        let counts = join_all(chunk.iter().map(|c| async move {
            let history = crate::target::post(
                client,
                &format!("{}/api/chat/history", target.base),
                &serde_json::json!({ "conversation_id": c.id, "token": c.token }),
            )
            .await
            .expect("history reads");
            let events: Vec<Event> =
                serde_json::from_value(history["events"].clone()).expect("events decode");
            events
                .iter()
                .filter(|e| {
                    matches!(&e.kind, EventKind::Message { message } if message.author == Author::Customer)
                })
                .count() as u64
        }))
        .await;
        stored += counts.iter().sum::<u64>();
    }
    stored
}

/// The clock message bodies carry their send time on.
static EPOCH: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

/// One minute of a soak: what the minute delivered and how fast, and the server's memory
/// after it.
pub struct Minute {
    pub outcome: Outcome,
    pub rss_mb: f64,
}

/// The soak: `minutes` one-minute phases back to back at `rate` msg/s on one server (each
/// with fresh conversations, so the database keeps growing), the server's RSS read after each.
pub async fn soak(
    target: &Target,
    settings: &Settings,
    minutes: u32,
    rate: u32,
    rss_mb: impl Fn() -> f64,
    cpu: impl Fn() -> f64,
) -> Vec<Minute> {
    let minute = Settings {
        rate,
        run_for: Duration::from_secs(60),
        ..settings.clone()
    };
    let mut curve = Vec::new();
    for n in 1..=minutes {
        let outcome = phase(target, &minute, Some(rate), &cpu).await;
        let rss = rss_mb();
        println!(
            "  soak minute {n:>2}: {} acknowledged, p99 {:.1} ms, lost {}, duplicated {}, RSS {rss:.1} MB",
            outcome.acked,
            outcome.latencies.value_at_quantile(0.99) as f64 / 1000.0,
            outcome.lost,
            outcome.duplicated
        );
        curve.push(Minute {
            outcome,
            rss_mb: rss,
        });
    }
    curve
}
