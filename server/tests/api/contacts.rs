//! The customer as a person: what agents read about a conversation's customer (device, page,
//! first seen) and their earlier conversations — linked when a new chat names the one its
//! browser held and proves it with that conversation's token, never on an id alone. A bad
//! page address is a 400 that starts nothing; customers cannot read contacts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{client, AgentClient, Customer, TestApp};

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";

/// Starts a chat from a phone's browser with `extra` fields in the body.
async fn start_from_phone(app: &TestApp, extra: Value) -> crate::helpers::Reply {
    let phone = reqwest::Client::builder()
        .user_agent(PHONE)
        .build()
        .unwrap();
    let mut body = json!({ "display_name": "Sari" });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.post(&phone, "/api/chat/start", body).await
}

fn customer_of(started: Value) -> Customer {
    Customer {
        id: started["conversation_id"].as_str().unwrap().to_owned(),
        token: started["token"].as_str().unwrap().to_owned(),
    }
}

async fn contact(app: &TestApp, agent: &AgentClient, customer: &Customer) -> Value {
    agent
        .call(
            app,
            "/api/conversations/contact",
            json!({ "conversation_id": customer.id }),
        )
        .await
        .ok()
}

fn earlier_ids(contact: &Value) -> Vec<String> {
    contact["earlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_returning_browser_is_linked_to_its_history_and_a_guessed_id_is_not() {
    let app = TestApp::spawn().await;
    let budi = app.agent("budi@baton.dev").await;

    let first = customer_of(
        start_from_phone(&app, json!({ "page": "https://shop.example/orders/42" }))
            .await
            .ok(),
    );
    app.customer_send(&first, "m1", "Where is my parcel?")
        .await
        .ok();
    let met = contact(&app, &budi, &first).await;
    assert_eq!(met["name"], "Sari");
    assert_eq!(met["device"], "Chrome on Android");
    assert_eq!(met["page"], "https://shop.example/orders/42");
    assert!(earlier_ids(&met).is_empty());

    // The same browser starts again, naming the conversation it held: both list each other.
    let second = customer_of(
        start_from_phone(
            &app,
            json!({ "previous_conversation_id": first.id, "previous_token": first.token }),
        )
        .await
        .ok(),
    );
    let returning = contact(&app, &budi, &second).await;
    assert_eq!(earlier_ids(&returning), [first.id.as_str()]);
    assert_eq!(returning["first_seen"], met["first_seen"]);
    assert_eq!(returning["earlier"][0]["closed"], false);
    assert!(returning["earlier"][0]["preview"]
        .as_str()
        .unwrap()
        .contains("Where is my parcel?"));
    assert_eq!(
        earlier_ids(&contact(&app, &budi, &first).await),
        [second.id.as_str()]
    );

    // A third chat started by the second names the first visitor too: one history.
    let third = customer_of(
        start_from_phone(
            &app,
            json!({ "previous_conversation_id": second.id, "previous_token": second.token }),
        )
        .await
        .ok(),
    );
    assert_eq!(
        earlier_ids(&contact(&app, &budi, &third).await),
        [second.id.as_str(), first.id.as_str()]
    );

    // Someone who only knows the id (a wrong token) starts a conversation of their own.
    let stranger = customer_of(
        start_from_phone(
            &app,
            json!({ "previous_conversation_id": first.id, "previous_token": "guess" }),
        )
        .await
        .ok(),
    );
    assert!(earlier_ids(&contact(&app, &budi, &stranger).await).is_empty());
    assert_eq!(earlier_ids(&contact(&app, &budi, &first).await).len(), 2);
}

#[tokio::test]
async fn a_bad_page_starts_nothing_and_customers_cannot_read_contacts() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let before = ana
        .call(&app, "/api/conversations/list", json!({ "filter": "all" }))
        .await
        .ok()["conversations"]
        .as_array()
        .unwrap()
        .len();
    for page in [
        "javascript:alert(1)",
        "/orders",
        "https://shop.example/a\nb",
    ] {
        let refused = start_from_phone(&app, json!({ "page": page })).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{page:?}");
        assert!(
            refused.message().contains("page address"),
            "{}",
            refused.message()
        );
    }
    let after = ana
        .call(&app, "/api/conversations/list", json!({ "filter": "all" }))
        .await
        .ok()["conversations"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);

    let customer = app.customer("Joko").await;
    let refused = app
        .post(
            &client(),
            "/api/conversations/contact",
            json!({ "conversation_id": customer.id }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let missing = ana
        .call(
            &app,
            "/api/conversations/contact",
            json!({ "conversation_id": "00000000-0000-4000-8000-000000000000" }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
