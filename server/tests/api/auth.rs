//! Agents sign in and out: sessions, cookies, availability, and one answer for every wrong
//! password or unknown address.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, TestApp};

#[tokio::test]
async fn a_demo_agent_signs_in_and_me_names_them() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;

    let me = app.post(&ana.client, "/api/agent/me", json!({})).await.ok();

    assert_eq!(me["display_name"], "Ana Putri");
    assert_eq!(me["role"], "supervisor");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;

    let response = client()
        .post(format!("{}/api/agent/login", app.url))
        .json(&json!({ "email": "budi@baton.dev", "password": "baton-demo" }))
        .send()
        .await
        .unwrap();

    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("baton_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_address_is_401_with_one_message() {
    let app = TestApp::spawn().await;

    for (email, password) in [
        ("ana@baton.dev", "nope"),
        ("nobody@baton.dev", "baton-demo"),
    ] {
        let reply = app
            .post(
                &client(),
                "/api/agent/login",
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.kind(), "unauthorized");
        assert_eq!(reply.message(), "Wrong e-mail or password");
    }
}

#[tokio::test]
async fn agent_calls_without_a_session_are_401() {
    let app = TestApp::spawn().await;

    for path in [
        "/api/agent/me",
        "/api/conversations/list",
        "/api/agents/list",
    ] {
        let reply = app.post(&client(), path, json!({})).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn after_logout_the_session_no_longer_works() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let cookie_jar_client = ana.client.clone();

    app.post(&cookie_jar_client, "/api/agent/logout", json!({}))
        .await
        .ok();

    let reply = app
        .post(&cookie_jar_client, "/api/agent/me", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn availability_changes_show_in_the_agent_list() {
    let app = TestApp::spawn().await;
    let budi = app.agent("budi@baton.dev").await;

    let me = budi.set_status(&app, "away").await.ok();
    assert_eq!(me["status"], "away");

    let agents = app
        .post(&budi.client, "/api/agents/list", json!({}))
        .await
        .ok();
    let budi_row = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == "budi@baton.dev")
        .unwrap();
    assert_eq!(budi_row["agent"]["status"], "away");
    assert_eq!(budi_row["open_conversations"], 0);

    let bad = budi.set_status(&app, "sleeping").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_cross_origin_post_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;

    let reply = client()
        .post(format!("{}/api/chat/start", app.url))
        .header("origin", "https://evil.example")
        .json(&json!({ "display_name": "Mallory" }))
        .send()
        .await
        .unwrap();

    assert_eq!(reply.status(), StatusCode::FORBIDDEN);
    let ana = app.agent("ana@baton.dev").await;
    let list = app
        .post(&ana.client, "/api/conversations/list", json!({}))
        .await
        .ok();
    assert_eq!(list["conversations"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = client()
        .get(format!("{}/health", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ok");
}
