//! The customer's language: taken from the browser, stored with the conversation, switched
//! on the page, and the language of every notice the customer receives.

use serde_json::{json, Value};

use crate::helpers::{client, Customer, TestApp};

const TAKEOVER_ID: &str =
    "Percakapan Anda kini ditangani oleh Customer Service kami. Saya Ana Putri siap membantu Anda.";
const TAKEOVER_EN: &str =
    "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.";

/// Starts a chat the way a browser does: `accept_language` as its header, `body` as sent.
async fn start(app: &TestApp, accept_language: &str, body: Value) -> Customer {
    let response = client()
        .post(format!("{}/api/chat/start", app.url))
        .header("accept-language", accept_language)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let started: Value = response.json().await.unwrap();
    Customer {
        id: started["conversation_id"].as_str().unwrap().to_owned(),
        token: started["token"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn an_indonesian_browser_hears_the_takeover_in_indonesian() {
    let app = TestApp::spawn().await;
    let customer = start(
        &app,
        "id-ID,id;q=0.9,en;q=0.5",
        json!({ "display_name": "Sari" }),
    )
    .await;
    assert_eq!(app.history(&customer).await["locale"], "id");

    let ana = app.agent("ana@baton.dev").await;
    let conversation = ana.takeover(&app, &customer.id).await.ok();

    assert_eq!(
        conversation["locale"], "id",
        "agents see the customer's language"
    );
    assert_eq!(
        app.customer_sees(&customer, "system").await,
        vec![TAKEOVER_ID]
    );
    // Another browser's language changes nothing: English stays English.
    let english = start(&app, "en-GB,en;q=0.9", json!({})).await;
    ana.takeover(&app, &english.id).await.ok();
    assert_eq!(
        app.customer_sees(&english, "system").await,
        vec![TAKEOVER_EN]
    );
}

#[tokio::test]
async fn the_language_chosen_on_the_page_wins_and_can_be_switched_mid_chat() {
    let app = TestApp::spawn().await;
    let customer = start(&app, "id-ID", json!({ "locale": "en" })).await;
    assert_eq!(app.history(&customer).await["locale"], "en");
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    let switched = app
        .post(
            &client(),
            "/api/chat/language",
            json!({ "conversation_id": customer.id, "token": customer.token, "locale": "id" }),
        )
        .await;
    assert_eq!(switched.status, 200, "{:?}", switched.body);
    assert_eq!(app.history(&customer).await["locale"], "id");

    let budi = app.agent("budi@baton.dev").await;
    ana.transfer(&app, &customer.id, &budi.id, Some("VIP"))
        .await
        .ok();
    budi.handover(&app, &customer.id, None).await.ok();
    assert_eq!(
        app.customer_sees(&customer, "system").await,
        vec![
            TAKEOVER_EN.to_owned(),
            "Percakapan Anda telah dialihkan kepada Budi Santoso, yang akan melanjutkan membantu Anda."
                .to_owned(),
            "Terima kasih telah menghubungi kami. Percakapan Anda kini kembali ditangani oleh asisten AI. Jika Anda membutuhkan bantuan lagi, jangan ragu untuk bertanya!"
                .to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_language_baton_does_not_speak_or_a_wrong_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let customer = start(&app, "en", json!({})).await;

    let unknown = app
        .post(
            &client(),
            "/api/chat/language",
            json!({ "conversation_id": customer.id, "token": customer.token, "locale": "fr" }),
        )
        .await;
    assert_eq!(unknown.status, 400, "{:?}", unknown.body);
    let stranger = app
        .post(
            &client(),
            "/api/chat/language",
            json!({ "conversation_id": customer.id, "token": "not-the-token", "locale": "id" }),
        )
        .await;
    assert_eq!(stranger.status, 401, "{:?}", stranger.body);
    let bad_start = app
        .post(&client(), "/api/chat/start", json!({ "locale": "xx" }))
        .await;
    assert_eq!(bad_start.status, 400, "{:?}", bad_start.body);

    assert_eq!(app.history(&customer).await["locale"], "en");
}
