//! `/metrics`: refused without the token, and read by a Prometheus text parser with the
//! counters and timings moving as a scripted hand-off runs.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, TestApp};

const TOKEN: &str = "scrape-secret-for-tests";

async fn scrape(app: &TestApp) -> prometheus_parse::Scrape {
    let text = client()
        .get(format!("{}/metrics", app.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("the exposition parses")
}

/// The value of `name` (with `label` = `value` when given); a histogram counts its
/// observations.
fn value(scrape: &prometheus_parse::Scrape, name: &str, label: Option<(&str, &str)>) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
        .map(|s| match &s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(buckets) => {
                buckets.iter().map(|b| b.count).fold(0.0, f64::max)
            }
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[tokio::test]
async fn metrics_need_the_token_and_move_as_a_hand_off_runs() {
    let app = TestApp::spawn_with(|config| config.metrics_token = Some(TOKEN.into())).await;
    let http = client();
    let bare = http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bare.headers()["www-authenticate"], "Bearer");
    let wrong = http
        .get(format!("{}/metrics", app.url))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let before = scrape(&app).await;
    let customer = app.customer("Sari").await;
    app.post(
        &client(),
        "/api/chat/request_human",
        json!({ "conversation_id": customer.id, "token": customer.token }),
    )
    .await
    .ok();
    let waiting = scrape(&app).await;
    assert!(value(&waiting, "baton_queue_length", None) >= 1.0);
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.send(&app, &customer.id, "m1", "Hello, I'm Ana")
        .await
        .ok();
    ana.handover(&app, &customer.id, None).await.ok();
    let after = scrape(&app).await;

    let moved = |name: &str, label: Option<(&str, &str)>| {
        value(&after, name, label) - value(&before, name, label)
    };
    for (name, label) in [
        ("baton_takeovers_total", None),
        ("baton_handovers_total", None),
        (
            "baton_escalations_total",
            Some(("reason", "customer_asked")),
        ),
        ("baton_time_to_takeover_seconds", None),
        ("baton_first_agent_reply_seconds", None),
        ("baton_store_commit_seconds", None),
    ] {
        assert!(moved(name, label) >= 1.0, "{name} did not move");
    }
    assert!(value(&after, "baton_agents_online", None) >= 0.0);
}

#[tokio::test]
async fn without_a_token_the_main_address_serves_no_metrics() {
    let app = TestApp::spawn().await;
    let reply = client()
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    assert!(reply.text().await.unwrap().contains("--metrics-addr"));
}
