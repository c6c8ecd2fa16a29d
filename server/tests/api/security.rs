//! Rate limits, forced takeovers and oversized input: the first round of security promises.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, messages_by, TestApp};

#[tokio::test]
async fn brute_force_sign_in_hits_the_limit_with_retry_after() {
    let app = TestApp::spawn().await;
    let attacker = client();

    for attempt in 0..10 {
        let reply = app
            .post(
                &attacker,
                "/api/agent/login",
                json!({ "email": "ana@baton.dev", "password": format!("guess{attempt}") }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let response = attacker
        .post(format!("{}/api/agent/login", app.url))
        .json(&json!({ "email": "ana@baton.dev", "password": "baton-demo" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "rate_limited");
    // Another account is not locked by it.
    app.agent("budi@baton.dev").await;
}

#[tokio::test]
async fn starting_conversations_in_a_flood_is_limited_per_address() {
    let app = TestApp::spawn().await;

    for _ in 0..30 {
        app.post(&client(), "/api/chat/start", json!({})).await.ok();
    }
    let reply = app.post(&client(), "/api/chat/start", json!({})).await;

    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_supervisor_forces_a_takeover_and_both_the_previous_owner_and_the_customer_are_told() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await; // supervisor
    let budi = app.agent("budi@baton.dev").await;
    budi.takeover(&app, &customer.id).await.ok();

    let conversation = ana
        .call(
            &app,
            "/api/conversations/force_takeover",
            json!({ "conversation_id": customer.id, "reason": "Escalated complaint, I handle it" }),
        )
        .await
        .ok();

    assert_eq!(conversation["owner"]["name"], "Ana Putri");
    let system = app.customer_sees(&customer, "system").await;
    assert_eq!(
        system.last().unwrap(),
        "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you."
    );
    let budi_view = budi.get(&app, &customer.id).await;
    let forced = budi_view["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "forced_takeover")
        .unwrap();
    assert_eq!(forced["from"]["name"], "Budi Santoso");
    assert_eq!(forced["reason"], "Escalated complaint, I handle it");
    assert!(!app
        .history(&customer)
        .await
        .to_string()
        .contains("Escalated complaint"));
    let late = budi.send(&app, &customer.id, "b1", "still there?").await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_agent_cannot_force_a_takeover_and_a_reason_is_required() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let citra = app.agent("citra@baton.dev").await;
    budi.takeover(&app, &customer.id).await.ok();
    let before = budi.get(&app, &customer.id).await;

    let by_agent = citra
        .call(
            &app,
            "/api/conversations/force_takeover",
            json!({ "conversation_id": customer.id, "reason": "mine now" }),
        )
        .await;
    let without_reason = ana
        .call(
            &app,
            "/api/conversations/force_takeover",
            json!({ "conversation_id": customer.id, "reason": "  " }),
        )
        .await;

    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
    assert_eq!(
        by_agent.message(),
        "Only supervisors and admins can force a takeover"
    );
    assert_eq!(without_reason.status, StatusCode::BAD_REQUEST);
    assert_eq!(budi.get(&app, &customer.id).await, before);
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let huge = "x".repeat(200_000);

    let reply = app.customer_send(&customer, "c1", &huge).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.kind(), "bad_input");
    assert!(messages_by(&app.history(&customer).await["events"], "customer").is_empty());
}
