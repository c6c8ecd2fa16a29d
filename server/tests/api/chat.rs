//! The customer's side of the API: starting a conversation, sending (idempotently, by
//! client id), reading the history, asking for a person, and bad input that changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, messages_by, seqs, Customer, TestApp};

#[tokio::test]
async fn a_knowledge_base_question_gets_the_ai_answer() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;

    app.customer_send(
        &customer,
        "m1",
        "How long does delivery take within Indonesia?",
    )
    .await
    .ok();

    let answers = app.wait_for_messages(&customer, "ai", 1).await;
    assert!(
        answers[0].contains("1–3 business days to Java and Bali"),
        "{}",
        answers[0]
    );
}

#[tokio::test]
async fn the_same_client_id_twice_stores_one_message_and_returns_it_both_times() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;

    let first = app.customer_send(&customer, "same-id", "Hello").await.ok();
    let second = app.customer_send(&customer, "same-id", "Hello").await.ok();

    assert_eq!(first, second);
    assert_eq!(
        app.customer_sees(&customer, "customer").await,
        vec!["Hello"]
    );
}

#[tokio::test]
async fn bad_messages_get_400_and_store_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let before = app.history(&customer).await;
    let too_long = "x".repeat(4_001);

    for (body, expected) in [
        ("", "message is empty"),
        ("   \n\t ", "message is empty"),
        (
            too_long.as_str(),
            "message is too long: 4001 characters, at most 4000",
        ),
    ] {
        let reply = app.customer_send(&customer, "m1", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.kind(), "bad_input");
        assert_eq!(reply.message(), expected);
    }
    let bad_client_id = app.customer_send(&customer, "has spaces", "Hi").await;
    assert_eq!(bad_client_id.status, StatusCode::BAD_REQUEST);

    assert_eq!(app.history(&customer).await, before);
}

#[tokio::test]
async fn malformed_or_wrongly_typed_json_is_400() {
    let app = TestApp::spawn().await;

    for body in ["{not json", r#"{"display_name": 42}"#, r#"[1, 2, 3]"#] {
        let reply = app
            .post_raw("/api/chat/start", "application/json", body)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.kind(), "bad_input", "{body}");
    }
    let missing = app
        .post(
            &client(),
            "/api/chat/send",
            json!({ "conversation_id": "x" }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_wrong_token_is_401_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let before = app.history(&customer).await;
    let impostor = Customer {
        id: customer.id.clone(),
        token: "0".repeat(64),
    };

    let reply = app.customer_send(&impostor, "m1", "let me in").await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.history(&customer).await, before);
}

#[tokio::test]
async fn one_conversations_token_cannot_read_or_write_another() {
    let app = TestApp::spawn().await;
    let alice = app.customer("Alice").await;
    let bob = app.customer("Bob").await;
    app.customer_send(&bob, "b1", "my secret order").await.ok();
    let crossed = Customer {
        id: bob.id.clone(),
        token: alice.token.clone(),
    };

    let read = app
        .post(
            &client(),
            "/api/chat/history",
            json!({ "conversation_id": crossed.id, "token": crossed.token }),
        )
        .await;
    let write = app.customer_send(&crossed, "a1", "hijack").await;

    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    assert!(!app
        .customer_sees(&bob, "customer")
        .await
        .contains(&"hijack".to_owned()));
}

#[tokio::test]
async fn an_unknown_conversation_is_404() {
    let app = TestApp::spawn().await;
    let ghost = Customer {
        id: "01900000-0000-7000-8000-000000000000".into(),
        token: "0".repeat(64),
    };

    let reply = app.customer_send(&ghost, "m1", "anyone?").await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.kind(), "not_found");
}

#[tokio::test]
async fn asking_for_a_person_marks_the_conversation_waiting_with_its_reason() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;

    app.post(
        &client(),
        "/api/chat/request_human",
        json!({ "conversation_id": customer.id, "token": customer.token }),
    )
    .await
    .ok();

    let waiting = app
        .post(
            &ana.client,
            "/api/conversations/list",
            json!({ "filter": "waiting" }),
        )
        .await
        .ok();
    let waiting = &waiting["conversations"];
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["waiting"]["reason"], "customer_asked");

    let history = app.history(&customer).await;
    assert_eq!(history["answering"]["waiting_for_human"], true);
    let notices = messages_by(&history["events"], "system");
    assert_eq!(
        notices,
        vec!["Thank you for your patience. A member of our Customer Service team will join this conversation shortly."]
    );
    let raw = history.to_string();
    assert!(
        !raw.contains("customer_asked"),
        "the reason is internal: {raw}"
    );
}

#[tokio::test]
async fn typing_talk_to_a_human_escalates_too() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;

    app.customer_send(&customer, "m1", "I want to talk to a human please")
        .await
        .ok();
    app.wait_for_messages(&customer, "system", 1).await;

    let detail = ana.get(&app, &customer.id).await;
    assert_eq!(
        detail["conversation"]["waiting"]["reason"],
        "customer_asked"
    );
}

#[tokio::test]
async fn history_after_seq_returns_only_newer_events() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    app.customer_send(&customer, "m1", "one").await.ok();
    app.customer_send(&customer, "m2", "two").await.ok();

    let newer = app
        .post(
            &client(),
            "/api/chat/history",
            json!({ "conversation_id": customer.id, "token": customer.token, "after_seq": 2 }),
        )
        .await
        .ok();

    assert!(seqs(&newer["events"]).iter().all(|&seq| seq > 2));
    assert!(messages_by(&newer["events"], "customer").contains(&"two".to_owned()));
    assert!(!messages_by(&newer["events"], "customer").contains(&"one".to_owned()));
}
