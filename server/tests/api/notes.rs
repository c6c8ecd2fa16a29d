//! Private notes: any agent writes one inside a conversation; agents see it (and the ones it
//! @mentions are named), while the customer's history, the customer's socket and the AI never
//! get it. Bad notes are a 400 that stores nothing.

use std::time::Duration;

use app::domain::{Event, EventKind};
use app::live::ServerFrame;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{client, TestApp};

fn notes_in(events: &Value) -> Vec<Value> {
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "note_added")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_note_reaches_every_agent_with_its_mentions_and_never_the_customer() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let citra = app.agent("citra@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    let mut customer_socket = app.customer_socket(&customer, None).await;
    let mut citra_socket = app.agent_socket("citra@baton.dev").await;

    // Budi does not own the conversation: a note is his to write all the same.
    let secret = "@ana the refund code is R-7731, @Citra please check. Don't offer it again";
    budi.call(
        &app,
        "/api/conversations/note",
        json!({ "conversation_id": customer.id, "text": secret }),
    )
    .await
    .ok();

    let note = citra_socket
        .wait_for(|frame| match frame {
            ServerFrame::Events { events, .. } => {
                events.iter().find_map(|event: &Event| match &event.kind {
                    EventKind::NoteAdded { by, text, mentions } => {
                        Some((by.name.clone(), text.to_string(), mentions.clone()))
                    }
                    _ => None,
                })
            }
            _ => None,
        })
        .await;
    assert_eq!(note.0, budi.name);
    assert_eq!(note.1, secret);
    let mentioned: Vec<&str> = note.2.iter().map(|agent| agent.name.as_str()).collect();
    assert_eq!(mentioned, vec![ana.name.as_str(), citra.name.as_str()]);
    let notes = notes_in(&ana.get(&app, &customer.id).await["events"]);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["text"], secret);

    // The owner replies; the customer's socket brings the reply and nothing of the note.
    ana.send(&app, &customer.id, "r1", "Let me check that for you")
        .await
        .ok();
    let mut seen = Vec::new();
    while let Some(frame) = customer_socket.next_within(Duration::from_secs(2)).await {
        seen.push(serde_json::to_string(&frame).unwrap());
        if seen.last().unwrap().contains("Let me check that for you") {
            break;
        }
    }
    assert!(seen.iter().any(|frame| frame.contains("Let me check")));
    assert!(
        seen.iter().all(|frame| !frame.contains("R-7731")),
        "{seen:?}"
    );
    let history = app.history(&customer).await;
    assert!(!history.to_string().contains("R-7731"));
    assert!(notes_in(&history["events"]).is_empty());
}

#[tokio::test]
async fn the_ai_never_reads_a_note() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.call(
        &app,
        "/api/conversations/note",
        json!({ "conversation_id": customer.id,
                "text": "Refund code R-7731 is approved for this customer's refund" }),
    )
    .await
    .ok();

    app.customer_send(&customer, "m1", "How do I get a refund code?")
        .await
        .ok();
    let answers = app.wait_for_messages(&customer, "ai", 1).await;
    assert!(!answers[0].contains("R-7731"), "{}", answers[0]);
}

#[tokio::test]
async fn bad_notes_get_400_and_store_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let before = ana.get(&app, &customer.id).await;

    for (text, expected) in [
        ("   ", "note is empty"),
        (
            &*"x".repeat(1_001),
            "note is too long: 1001 characters, at most 1000",
        ),
    ] {
        let reply = ana
            .call(
                &app,
                "/api/conversations/note",
                json!({ "conversation_id": customer.id, "text": text }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.message(), expected);
    }
    let unknown = ana
        .call(
            &app,
            "/api/conversations/note",
            json!({ "conversation_id": uuid::Uuid::now_v7(), "text": "hello" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let anonymous = app
        .post(
            &client(),
            "/api/conversations/note",
            json!({ "conversation_id": customer.id, "text": "hello" }),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    assert_eq!(ana.get(&app, &customer.id).await, before);
}
