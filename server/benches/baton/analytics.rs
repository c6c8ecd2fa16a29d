//! The analytics over a long history: 100,000 conversations and 1,000,000 events (each
//! conversation: started, the customer and the AI, a wait, a takeover, the agent's and the
//! customer's messages, a handover, a close), spread over 30 days, in a fresh SQLite file and,
//! when reachable, a fresh PostgreSQL schema. Timed: a node's first pass, which folds every log
//! into its facts, and then what `analytics/report` does for the last 7 and the last 30 days
//! (a pass that finds nothing to fold, the statement that selects the facts, and the count),
//! median of five.

use std::time::{Duration, Instant};

use app::backend::analytics::{self, Projection};
use app::backend::{Clock, Store, SystemClock};
use app::domain::analytics::Range;
use app::domain::{
    AgentId, AgentRef, Author, EscalationReason, EventKind, Message, MessageBody, MessageId,
    Timestamp,
};

use crate::report::Report;

const CONVERSATIONS: i64 = 100_000;
const DAY_MS: i64 = 86_400_000;
/// 30 days of conversations, one every 25.9 s.
const SPACING_MS: i64 = 30 * DAY_MS / CONVERSATIONS;
/// 2026-10-01 00:00 UTC.
const START: i64 = 1_790_812_800_000;

/// One conversation's log: (kind tag, payload, sender).
fn script() -> Vec<(String, String, Option<String>)> {
    let agent = AgentRef {
        id: AgentId::parse("00000000-0000-4000-8000-00000000a9e1").unwrap(),
        name: "Bench Agent".into(),
    };
    let said = |author: Author, body: &str| EventKind::Message {
        message: Message {
            id: MessageId::new(),
            author,
            body: MessageBody::parse(body).unwrap(),
            client_id: None,
            attachment: None,
        },
    };
    let agent_sender = format!("agent:{}", agent.id);
    let log = [
        (
            EventKind::Started {
                customer_name: "Bench".into(),
            },
            None,
        ),
        (
            said(Author::Customer, "Where is my parcel?"),
            Some("customer"),
        ),
        (
            said(Author::Ai, "Parcels to Java take 1–3 days."),
            Some("ai"),
        ),
        (
            EventKind::WaitingForHuman {
                reason: EscalationReason::CustomerAsked,
                detail: None,
                summary: None,
            },
            None,
        ),
        (
            EventKind::TakenOver {
                agent: agent.clone(),
            },
            None,
        ),
        (
            said(
                Author::Agent {
                    agent: agent.clone(),
                },
                "Let me check.",
            ),
            Some(agent_sender.as_str()),
        ),
        (said(Author::Customer, "Thank you"), Some("customer")),
        (
            said(
                Author::Agent {
                    agent: agent.clone(),
                },
                "It arrives tomorrow.",
            ),
            Some(agent_sender.as_str()),
        ),
        (
            EventKind::HandedOver {
                by: agent.clone(),
                brief: None,
                for_customer: false,
            },
            None,
        ),
        (EventKind::Closed { by: agent.clone() }, None),
    ];
    log.into_iter()
        .map(|(kind, sender)| {
            let payload = serde_json::to_string(&kind).unwrap();
            let tag = serde_json::to_value(&kind).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned();
            (tag, payload, sender.map(str::to_owned))
        })
        .collect()
}

/// The statements that write the history; `id` is the SQL of conversation `i`'s id.
fn seed(id: &str) -> [String; 2] {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let kinds = script()
        .iter()
        .enumerate()
        .map(|(i, (tag, payload, sender))| {
            format!(
                "({}, {}, {}, {})",
                i + 1,
                quote(tag),
                quote(payload),
                sender.as_deref().map_or("NULL".to_owned(), quote)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let numbers = format!(
        "WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {})",
        CONVERSATIONS - 1
    );
    let last = script().len();
    [
        format!(
            "{numbers} INSERT INTO conversations (id, customer_name, token_hash, mode, mode_since,
               last_seq, created_at, updated_at)
             SELECT {id}, 'Bench', 'x', 'closed', {START} + i * {SPACING_MS} + {last} * 20000,
               {last}, {START} + i * {SPACING_MS}, {START} + i * {SPACING_MS} + {last} * 20000
             FROM n"
        ),
        format!(
            "{numbers}, kinds(seq, kind, payload, sender) AS (VALUES {kinds})
             INSERT INTO events (conversation_id, seq, at, kind, payload, sender)
             SELECT {id}, k.seq, {START} + i * {SPACING_MS} + k.seq * 20000, k.kind, k.payload,
               k.sender
             FROM n CROSS JOIN kinds k"
        ),
    ]
}

/// Median of five runs of the report over the last `days` days of the history, as a report
/// runs: the facts caught up (nothing left to fold by then), then those of the range counted.
/// Returns the whole, the catching up alone, and how many conversations' facts the range reads.
async fn time_report(
    store: &dyn Store,
    projection: &Projection,
    days: i64,
) -> (Duration, Duration, usize) {
    let end = START + 30 * DAY_MS;
    let range = Range::new(Timestamp(end - days * DAY_MS), Timestamp(end), 0).unwrap();
    let mut times = Vec::new();
    let mut passes = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let folded = projection.catch_up(store, SystemClock.now()).await.unwrap();
        passes.push(started.elapsed());
        let report = analytics::count(store, range, Timestamp(end + DAY_MS))
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(folded, 0);
        assert!(report.totals.started > 0);
    }
    times.sort();
    passes.sort();
    let read = store
        .analytics_facts(range.from, range.to)
        .await
        .unwrap()
        .len();
    (times[2], passes[2], read)
}

async fn measure(report: &mut Report, backend: &str, url: &str, ids: &str) {
    let opened = server::store::Backend::open(url)
        .await
        .expect("store opens");
    let started = Instant::now();
    {
        use sqlx::Connection;
        let statements = seed(ids);
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            for statement in &statements {
                sqlx::query(statement).execute(&mut conn).await.unwrap();
            }
            sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            for statement in &statements {
                sqlx::query(statement).execute(&mut conn).await.unwrap();
            }
            sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
        }
    }
    let seeded = started.elapsed();
    let store = opened.store();
    // A node's first pass folds the whole history, written behind its back.
    let projection = Projection::default();
    let started = Instant::now();
    let folded = projection
        .catch_up(store.as_ref(), SystemClock.now())
        .await
        .unwrap();
    let first_pass = started.elapsed();
    report.note(format!(
        "analytics, {backend}: history of 100,000 conversations / 1,000,000 events written in \
         {:.1} s; the first pass folded {folded} conversations in {:.1} s",
        seeded.as_secs_f64(),
        first_pass.as_secs_f64()
    ));
    for days in [7, 30] {
        let (median, pass, read) = time_report(store.as_ref(), &projection, days).await;
        report.note(format!(
            "analytics, {backend}: last {days} days of 100,000 conversations / 1,000,000 events: \
             {:.0} ms median of 5 (of which {:.0} ms the pass that found nothing to fold; \
             {read} conversations' facts counted)",
            median.as_secs_f64() * 1_000.0,
            pass.as_secs_f64() * 1_000.0,
        ));
    }
    opened.close().await;
}

/// Both backends.
pub async fn run(report: &mut Report) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("analytics.db").display()
    );
    measure(
        report,
        "SQLite",
        &sqlite,
        "printf('00000000-0000-4000-8000-%012d', i)",
    )
    .await;
    let base = std::env::var("BATON_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("bench_analytics_{}", std::process::id());
    let created = async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&base).await.ok()?;
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
            .execute(&mut conn)
            .await
            .ok()?;
        Some(conn)
    }
    .await;
    let Some(mut conn) = created else {
        report.note("analytics, PostgreSQL: not reachable, skipped".into());
        return;
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    measure(
        report,
        "PostgreSQL",
        &url,
        "'00000000-0000-4000-8000-' || lpad(i::text, 12, '0')",
    )
    .await;
    let _ = sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await;
}
