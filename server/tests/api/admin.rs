//! Admins manage the team: creating and disabling agents, resetting passwords, reading the
//! audit log; everyone else is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, TestApp};

const ADMIN: &str = "admin@baton.dev";

#[tokio::test]
async fn an_admin_creates_an_agent_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.agent(ADMIN).await;

    let created = admin
        .call(&app, "/api/admin/agents/create", json!({
            "email": "eka@baton.dev", "display_name": "Eka Lestari", "role": "agent", "password": "s3cret-pass"
        }))
        .await
        .ok();

    assert_eq!(created["display_name"], "Eka Lestari");
    let me = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "eka@baton.dev", "password": "s3cret-pass" }),
        )
        .await
        .ok();
    assert_eq!(me["role"], "agent");
}

#[tokio::test]
async fn only_admins_manage_agents_or_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let supervisor = app.agent("ana@baton.dev").await;

    let create = supervisor
        .call(&app, "/api/admin/agents/create", json!({
            "email": "x@baton.dev", "display_name": "X", "role": "admin", "password": "whatever-123"
        }))
        .await;
    let audit = supervisor.call(&app, "/api/admin/audit", json!({})).await;

    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(audit.status, StatusCode::FORBIDDEN);
    let nobody = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "x@baton.dev", "password": "whatever-123" }),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn disabling_an_agent_ends_their_sessions_and_sign_ins() {
    let app = TestApp::spawn().await;
    let admin = app.agent(ADMIN).await;
    let budi = app.agent("budi@baton.dev").await;

    admin
        .call(
            &app,
            "/api/admin/agents/disable",
            json!({ "agent_id": budi.id }),
        )
        .await
        .ok();

    let me = app.post(&budi.client, "/api/agent/me", json!({})).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let again = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "budi@baton.dev", "password": "baton-demo" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_only_the_new_password_works() {
    let app = TestApp::spawn().await;
    let admin = app.agent(ADMIN).await;
    let citra = app.agent("citra@baton.dev").await;

    let short = admin
        .call(
            &app,
            "/api/admin/agents/reset_password",
            json!({ "agent_id": citra.id, "password": "short" }),
        )
        .await;
    admin
        .call(
            &app,
            "/api/admin/agents/reset_password",
            json!({ "agent_id": citra.id, "password": "brand-new-pass" }),
        )
        .await
        .ok();

    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.post(&citra.client, "/api/agent/me", json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let old = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "citra@baton.dev", "password": "baton-demo" }),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.post(
        &client(),
        "/api/agent/login",
        json!({ "email": "citra@baton.dev", "password": "brand-new-pass" }),
    )
    .await
    .ok();
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_hand_offs_and_admin_actions_with_actor_and_time() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let customer = app.customer("Sari").await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.transfer(&app, &customer.id, &budi.id, Some("please take it"))
        .await
        .ok();
    budi.handover(&app, &customer.id, None).await.ok();
    app.post(
        &client(),
        "/api/agent/login",
        json!({ "email": "ana@baton.dev", "password": "wrong" }),
    )
    .await;
    let admin = app.agent(ADMIN).await;
    admin
        .call(
            &app,
            "/api/admin/agents/reset_password",
            json!({ "agent_id": budi.id, "password": "another-pass" }),
        )
        .await
        .ok();

    let log = admin.call(&app, "/api/admin/audit", json!({})).await.ok();
    let actions: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("sign_in", "Ana Putri"),
        ("sign_in", "Budi Santoso"),
        ("take_over", "Ana Putri"),
        ("transfer", "Ana Putri"),
        ("hand_over", "Budi Santoso"),
        ("sign_in_refused", "Ana Putri"),
        ("sign_in", "Dimas Admin"),
        ("password_reset", "Dimas Admin"),
    ];
    let got: Vec<(&str, &str)> = actions
        .iter()
        .map(|(a, n)| (a.as_str(), n.as_str()))
        .collect();
    assert_eq!(got, expected);
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["at"].as_i64().unwrap() > 0));

    let for_conversation = admin
        .call(
            &app,
            "/api/admin/audit",
            json!({ "conversation_id": customer.id }),
        )
        .await
        .ok();
    assert_eq!(for_conversation.as_array().unwrap().len(), 3);
}
