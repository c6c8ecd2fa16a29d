//! Hand-off latency: `conversations/takeover` sequentially, with 100 concurrent callers, and
//! in a storm where every agent races for every conversation at once.

use std::time::{Duration, Instant};

use futures::future::join_all;
use hdrhistogram::Histogram;
use serde_json::json;

use crate::report::{latency_histogram, Report};
use crate::target::{http_client, Conversation, Target};

const SEQUENTIAL: usize = 1_000;
const CONCURRENT_CALLERS: usize = 100;
const CALLS_PER_CALLER: usize = 20;
/// Conversations in the storm; each is raced by every demo agent at the same instant.
const STORM_CONVERSATIONS: usize = 250;

async fn start_conversations(target: &Target, n: usize) -> Vec<Conversation> {
    target.start_many(&http_client(), n, "Hand-off", 50).await
}

/// One takeover call: its time, and whether it won.
async fn take_over(
    client: &reqwest::Client,
    url: &str,
    conversation: &Conversation,
) -> (Duration, bool) {
    let t = Instant::now();
    let response = client
        .post(url)
        .json(&json!({ "conversation_id": conversation.id }))
        .send()
        .await
        .expect("server reachable");
    let status = response.status();
    let _ = response.bytes().await;
    assert!(
        status.is_success() || status == reqwest::StatusCode::CONFLICT,
        "takeover answered {status}"
    );
    (t.elapsed(), status.is_success())
}

pub async fn run(report: &mut Report, system: &str, target: &Target) {
    let target = target.clone();
    let url = format!("{}/api/conversations/takeover", target.agent_base());
    let agents: Vec<reqwest::Client> =
        join_all(server::seed::DEMO_AGENTS.iter().map(|(_, email, _)| {
            let target = target.clone();
            async move {
                let client = http_client();
                target
                    .agent_login(&client, email)
                    .await
                    .expect("agent signs in");
                client
            }
        }))
        .await;
    let ana = &agents[0];

    let ids = start_conversations(&target, SEQUENTIAL).await;
    let mut latencies = latency_histogram();
    let wall = Instant::now();
    for id in &ids {
        let (took, won) = take_over(ana, &url, id).await;
        assert!(won, "a takeover of a fresh conversation wins");
        latencies.record(took.as_micros() as u64).expect("in range");
    }
    report.latency(
        system,
        "takeover, sequential",
        &latencies,
        wall.elapsed(),
        "",
    );

    let ids = start_conversations(&target, CONCURRENT_CALLERS * CALLS_PER_CALLER).await;
    let wall = Instant::now();
    let per_caller = join_all(ids.chunks(CALLS_PER_CALLER).enumerate().map(|(i, chunk)| {
        let agent = agents[i % agents.len()].clone();
        let url = url.clone();
        async move {
            let mut latencies = latency_histogram();
            for id in chunk {
                let (took, won) = take_over(&agent, &url, id).await;
                assert!(won, "a takeover of a fresh conversation wins");
                latencies.record(took.as_micros() as u64).expect("in range");
            }
            latencies
        }
    }))
    .await;
    let wall = wall.elapsed();
    let mut latencies = latency_histogram();
    for caller in per_caller {
        latencies.add(caller).expect("histograms merge");
    }
    report.latency(
        system,
        &format!("takeover, {CONCURRENT_CALLERS} concurrent callers"),
        &latencies,
        wall,
        "",
    );

    let ids = start_conversations(&target, STORM_CONVERSATIONS).await;
    let wall = Instant::now();
    let url = url.as_str();
    let calls = ids.iter().flat_map(|id| {
        agents
            .iter()
            .map(move |agent| async move { (id.id.clone(), take_over(agent, url, id).await) })
    });
    let results = join_all(calls).await;
    let wall = wall.elapsed();
    let mut latencies = latency_histogram();
    let mut winners = std::collections::HashMap::<String, usize>::new();
    for (id, (took, won)) in &results {
        latencies.record(took.as_micros() as u64).expect("in range");
        *winners.entry(id.clone()).or_default() += usize::from(*won);
    }
    let exactly_one = winners.values().filter(|&&n| n == 1).count();
    report.latency(
        system,
        &format!(
            "takeover storm: {} agents × {STORM_CONVERSATIONS} conversations at once",
            agents.len()
        ),
        &latencies,
        wall,
        &format!("{exactly_one}/{STORM_CONVERSATIONS} conversations with exactly 1 winner"),
    );
}

/// The embedded responder's reply time over the held-out questions, 100 rounds, reading
/// each by words and meaning (the sentence model `cargo xtask bench` unpacks).
pub fn embedded_responder(report: &mut Report) {
    use app::backend::ReplyContext;
    use app::domain::{Author, Conversation, ConversationId, Mode, Timestamp};
    use server::ai::{semantic, KbResponder, KnowledgeBase};

    let root = crate::root();
    let encoder = semantic::shared(&semantic::default_dir())
        .unwrap_or_else(|err| panic!("{err}: `cargo xtask model` unpacks the sentence model"));
    let kb = KnowledgeBase::new(server::seed::read_kb_dir(&root.join("kb")).expect("kb reads"))
        .understanding(encoder);
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
        brief_for_customer: false,
        reply_due_since: None,
        contact_email: None,
        verified: None,
        locale: Default::default(),
        labels: Vec::new(),
        priority: Default::default(),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("histogram");
    let wall = Instant::now();
    for _ in 0..100 {
        for question in &questions {
            let context = ReplyContext {
                conversation: conversation.clone(),
                transcript: vec![(Author::Customer, question.clone())],
            };
            let t = Instant::now();
            std::hint::black_box(responder.decide(&context));
            latencies
                .record(t.elapsed().as_nanos() as u64)
                .expect("in range");
        }
    }
    report.latency_ns(
        "embedded AI",
        "reply to a held-out question",
        &latencies,
        wall.elapsed(),
    );
}
