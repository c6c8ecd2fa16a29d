//! Routing under load: 1,000 waiting customers with live sockets, each told their new place in
//! line after every takeover (the time from the takeover call to the last customer's update),
//! and auto-assignment's throughput.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use futures::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::child::Server;
use crate::report::{latency_histogram, Report};
use crate::target::{http_client, post, socket_config, Conversation, Target};

/// Customers waiting with a live socket.
const WAITING: usize = 1_000;
/// Takeovers measured (each moves everyone behind up one place).
const TAKEOVERS: usize = 50;
/// Conversations auto-assignment hands out in its run, and the agents (with room for all).
const ASSIGNED: usize = 500;
const ASSIGN_AGENTS: usize = 5;

/// Asks for a person in every conversation, 50 at a time.
async fn wait_for_people(
    target: &Target,
    client: &reqwest::Client,
    conversations: &[Conversation],
) {
    for chunk in conversations.chunks(50) {
        let url = format!("{}/api/chat/request_human", target.base);
        join_all(chunk.iter().map(|c| {
            let url = url.clone();
            let body = json!({ "conversation_id": c.id, "token": c.token });
            async move { post(client, &url, &body).await }
        }))
        .await
        .into_iter()
        .for_each(|r| {
            r.expect("the customer asks for a person");
        });
    }
}

pub async fn run(report: &mut Report) {
    positions(report).await;
    assignment(report).await;
}

/// Every takeover pushes new positions to every waiting customer: how long until the last
/// one has its new place.
async fn positions(report: &mut Report) {
    let server = Server::baton().await;
    let target = Target::baton(&server);
    let client = http_client();
    let ana = http_client();
    let headers = target
        .agent_login(&ana, "ana@baton.dev")
        .await
        .expect("Ana signs in");
    // Ana's dashboard is open throughout: the team is online, so customers get places.
    let (dashboard, _) = tokio_tungstenite::connect_async_with_config(
        target.agent_socket(&headers),
        Some(socket_config()),
        true,
    )
    .await
    .expect("dashboard opens");
    // A dashboard reads what it is sent (one that does not is closed as stuck).
    let (_keep, mut dashboard) = dashboard.split();
    let reading = tokio::spawn(async move { while dashboard.next().await.is_some() {} });
    let conversations = target.start_many(&client, WAITING, "Waiting", 50).await;
    wait_for_people(&target, &client, &conversations).await;

    // Each socket reports (its index, the position it was told, when).
    let (told, mut updates) = mpsc::unbounded_channel::<(usize, u64, Instant)>();
    let told = Arc::new(told);
    let mut readers = Vec::new();
    for chunk in conversations
        .iter()
        .enumerate()
        .collect::<Vec<_>>()
        .chunks(250)
    {
        let opened = join_all(chunk.iter().map(|(_, c)| {
            tokio_tungstenite::connect_async_with_config(
                target.customer_socket(c),
                Some(socket_config()),
                true,
            )
        }))
        .await;
        for ((index, _), socket) in chunk.iter().zip(opened) {
            let (socket, _) = socket.expect("customer socket opens");
            let (_, mut read) = socket.split();
            let told = told.clone();
            let index = *index;
            readers.push(tokio::spawn(async move {
                while let Some(Ok(Message::Text(text))) = read.next().await {
                    let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                        continue;
                    };
                    if frame["type"] == "queue" {
                        let position = frame["status"]["position"].as_u64().unwrap_or(0);
                        let _ = told.send((index, position, Instant::now()));
                    }
                }
            }));
        }
    }
    // Everyone knows their place first.
    let mut position = vec![0u64; WAITING];
    let mut known = 0;
    while known < WAITING {
        let (index, at, _) = tokio::time::timeout(Duration::from_secs(60), updates.recv())
            .await
            .expect("every customer is told their place")
            .expect("readers run");
        if position[index] == 0 {
            known += 1;
        }
        position[index] = at;
    }

    let url = format!("{}/api/conversations/takeover", target.base);
    let mut latencies: Histogram<u64> = latency_histogram();
    let wall = Instant::now();
    for _ in 0..TAKEOVERS {
        // Ana takes the head of the queue.
        let head = position
            .iter()
            .position(|p| *p == 1)
            .expect("someone is first in line");
        let started = Instant::now();
        post(
            &ana,
            &url,
            &json!({ "conversation_id": conversations[head].id }),
        )
        .await
        .expect("takeover");
        position[head] = 0;
        // Everyone else moves up one place.
        let mut behind = position.iter().filter(|p| **p > 1).count();
        let mut last = started;
        while behind > 0 {
            let (index, at, when) = tokio::time::timeout(Duration::from_secs(30), updates.recv())
                .await
                .expect("the new places arrive")
                .expect("readers run");
            if position[index] > 1 && at + 1 == position[index] {
                behind -= 1;
                last = last.max(when);
            }
            position[index] = at;
        }
        latencies
            .record(last.duration_since(started).as_micros() as u64)
            .expect("in range");
    }
    report.latency(
        "Baton",
        &format!("queue: takeover → all {WAITING} waiting customers told their new place"),
        &latencies,
        wall.elapsed(),
        "",
    );
    for reader in readers {
        reader.abort();
    }
    reading.abort();
    server.stop();
}

/// Auto-assignment: conversations waiting while no agent is online, then agents with room
/// for all come online; how fast the queue empties.
async fn assignment(report: &mut Report) {
    let server = Server::baton_with(&[("BATON_ASSIGNMENT", "auto")]).await;
    let target = Target::baton(&server);
    let client = http_client();
    let admin = http_client();
    target
        .agent_login(&admin, "admin@baton.dev")
        .await
        .expect("admin signs in");
    let mut agents = Vec::new();
    for i in 0..ASSIGN_AGENTS {
        let email = format!("assign{i}@bench.test");
        post(
            &admin,
            &format!("{}/api/admin/agents/create", target.base),
            &json!({ "email": email, "display_name": format!("Agent {i}"), "role": "agent",
                     "password": server::seed::DEMO_PASSWORD, "max_chats": 100 }),
        )
        .await
        .expect("agent created");
        let agent = http_client();
        let headers = target.agent_login(&agent, &email).await.expect("signs in");
        post(
            &agent,
            &format!("{}/api/agents/availability", target.base),
            &json!({ "status": "online" }),
        )
        .await
        .expect("online");
        agents.push(headers);
    }
    let conversations = target.start_many(&client, ASSIGNED, "Assign", 50).await;
    wait_for_people(&target, &client, &conversations).await;

    let started = Instant::now();
    let mut dashboards = Vec::new();
    for headers in &agents {
        let (socket, _) = tokio_tungstenite::connect_async_with_config(
            target.agent_socket(headers),
            Some(socket_config()),
            true,
        )
        .await
        .expect("dashboard opens");
        let (keep, mut read) = socket.split();
        dashboards.push((
            keep,
            tokio::spawn(async move { while read.next().await.is_some() {} }),
        ));
    }
    let list = format!("{}/api/conversations/list", target.base);
    loop {
        let waiting = post(&admin, &list, &json!({ "filter": "waiting" }))
            .await
            .expect("list");
        if waiting["conversations"]
            .as_array()
            .is_some_and(|w| w.is_empty())
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the queue did not empty"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    report.note(format!(
        "Baton: auto-assignment gave {ASSIGNED} waiting conversations to {ASSIGN_AGENTS} agents in {:.2} s ({:.0} conversations/s)",
        took.as_secs_f64(),
        ASSIGNED as f64 / took.as_secs_f64()
    ));
    for (_, reading) in dashboards {
        reading.abort();
    }
    server.stop();
}
