//! `cargo xtask bench`: hand-off latency against the real server on 127.0.0.1.
//!
//! Measures `conversations/takeover` over HTTP: 1,000 sequential calls, then 100 concurrent
//! callers. Each call takes over a fresh conversation (a takeover that wins, with its two
//! events committed). Results go to `bench/results/handoff.json`.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{json, Value};
use server::config::Config;

const SEQUENTIAL: usize = 1_000;
const CONCURRENT_CALLERS: usize = 100;
const CALLS_PER_CALLER: usize = 10;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .build()
        .expect("client")
}

async fn post(client: &reqwest::Client, url: &str, body: Value) -> Value {
    let response = client
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("reachable");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

async fn start_conversations(base: &str, n: usize) -> Vec<String> {
    let customer = client();
    let start = format!("{base}/api/chat/start");
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        let started = join_all(chunk.iter().map(|i| {
            post(
                &customer,
                &start,
                json!({ "display_name": format!("Bench {i}") }),
            )
        }))
        .await;
        ids.extend(
            started
                .into_iter()
                .map(|s| s["conversation_id"].as_str().unwrap().to_owned()),
        );
    }
    ids
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn summary(name: &str, mut samples: Vec<Duration>, wall: Duration) -> Value {
    samples.sort();
    let row = json!({
        "name": name,
        "calls": samples.len(),
        "p50_ms": percentile(&samples, 0.50),
        "p95_ms": percentile(&samples, 0.95),
        "p99_ms": percentile(&samples, 0.99),
        "max_ms": samples.last().unwrap().as_secs_f64() * 1000.0,
        "calls_per_s": samples.len() as f64 / wall.as_secs_f64(),
    });
    println!(
        "{:<40} {:>6} calls  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  {:>7.0} calls/s",
        name,
        samples.len(),
        row["p50_ms"].as_f64().unwrap(),
        row["p95_ms"].as_f64().unwrap(),
        row["p99_ms"].as_f64().unwrap(),
        row["max_ms"].as_f64().unwrap(),
        row["calls_per_s"].as_f64().unwrap(),
    );
    row
}

/// The embedded responder's reply time over the held-out questions, 100 rounds.
fn embedded_responder_timings() -> Value {
    use app::backend::ReplyContext;
    use app::domain::{Author, Conversation, ConversationId, Mode, Timestamp};
    use server::ai::{KbResponder, KnowledgeBase};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let kb = KnowledgeBase::new(server::seed::read_kb_dir(&root.join("kb")).expect("kb reads"));
    let responder = KbResponder::new(kb, 0.5);
    let questions: Vec<String> = std::fs::read_to_string(root.join("kb/heldout.tsv"))
        .expect("held-out questions read")
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(q, _)| q.to_owned()))
        .collect();
    let conversation = Conversation {
        id: ConversationId::new(),
        customer_name: "Bench".into(),
        mode: Mode::Ai,
        mode_since: Timestamp(0),
        owner: None,
        waiting: None,
        version: 0,
        last_seq: 1,
        preview: None,
        brief: None,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    let wall = Instant::now();
    let mut samples = Vec::new();
    for _ in 0..100 {
        for question in &questions {
            let context = ReplyContext {
                conversation: conversation.clone(),
                transcript: vec![(Author::Customer, question.clone())],
                brief: None,
            };
            let t = Instant::now();
            std::hint::black_box(responder.decide(&context));
            samples.push(t.elapsed());
        }
    }
    summary(
        "embedded AI reply (held-out questions)",
        samples,
        wall.elapsed(),
    )
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        dist: dir.path().join("dist"),
        kb_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb"),
        // The load comes from one address on purpose.
        limit_start_per_address: 0,
        limit_send_per_conversation: 0,
        ..Config::defaults()
    };
    let server = server::spawn(config).await.expect("server starts");
    let base = server.url();
    let agent = client();
    post(
        &agent,
        &format!("{base}/api/agent/login"),
        json!({ "email": "ana@baton.dev", "password": "baton-demo" }),
    )
    .await;
    let takeover = format!("{base}/api/conversations/takeover");

    println!(
        "\nBaton hand-off benchmark (server and client on 127.0.0.1, SQLite, synchronous=FULL)\n"
    );
    let ids = start_conversations(&base, SEQUENTIAL).await;
    let wall = Instant::now();
    let mut samples = Vec::with_capacity(SEQUENTIAL);
    for id in &ids {
        let t = Instant::now();
        post(&agent, &takeover, json!({ "conversation_id": id })).await;
        samples.push(t.elapsed());
    }
    let sequential = summary("takeover, sequential", samples, wall.elapsed());

    let ids = start_conversations(&base, CONCURRENT_CALLERS * CALLS_PER_CALLER).await;
    let wall = Instant::now();
    let per_caller = join_all(ids.chunks(CALLS_PER_CALLER).map(|chunk| {
        let agent = agent.clone();
        let takeover = takeover.clone();
        async move {
            let mut samples = Vec::with_capacity(chunk.len());
            for id in chunk {
                let t = Instant::now();
                post(&agent, &takeover, json!({ "conversation_id": id })).await;
                samples.push(t.elapsed());
            }
            samples
        }
    }))
    .await;
    let concurrent = summary(
        &format!("takeover, {CONCURRENT_CALLERS} concurrent callers"),
        per_caller.into_iter().flatten().collect(),
        wall.elapsed(),
    );

    let responder = embedded_responder_timings();

    let results = json!({
        "machine": format!("{} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)),
        "results": [sequential, concurrent, responder],
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/results");
    std::fs::create_dir_all(&out).expect("results dir");
    std::fs::write(
        out.join("handoff.json"),
        serde_json::to_string_pretty(&results).unwrap(),
    )
    .expect("results written");
    println!("\nwritten to bench/results/handoff.json");
    server.stop().await;
}
