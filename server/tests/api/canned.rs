//! Canned replies: every agent reads the ones on offer; supervisors and admins write, change
//! and retire them (audited), and a retired shortcut is free again. Agents are refused, and
//! bad input is a 400 that changes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{client, AgentClient, TestApp};

async fn offered(app: &TestApp, agent: &AgentClient) -> Vec<Value> {
    let list = agent.call(app, "/api/canned/list", json!({})).await.ok();
    list.as_array().unwrap().clone()
}

fn find<'a>(replies: &'a [Value], shortcut: &str, language: &str) -> Option<&'a Value> {
    replies
        .iter()
        .find(|r| r["shortcut"] == shortcut && r["language"] == language)
}

#[tokio::test]
async fn a_supervisor_writes_changes_and_retires_a_reply_and_agents_see_each_step() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;

    // The team starts with the same replies in English and Indonesian.
    let start = offered(&app, &budi).await;
    assert_eq!(start.len(), 10);
    assert!(find(&start, "/sorry", "en").unwrap()["text"]
        .as_str()
        .unwrap()
        .starts_with("I'm sorry"));
    assert!(find(&start, "/sorry", "id").unwrap()["text"]
        .as_str()
        .unwrap()
        .starts_with("Mohon maaf"));

    let made = ana
        .call(
            &app,
            "/api/canned/create",
            json!({
                "title": " Late parcel ",
                "shortcut": "Late",
                "language": "en",
                "text": "Hi {customer_name}, I'm {agent_name}: your parcel is on its way."
            }),
        )
        .await
        .ok();
    assert_eq!(made["shortcut"], "/late");
    assert_eq!(made["title"], "Late parcel");
    let id = made["id"].as_str().unwrap().to_owned();
    let late = offered(&app, &budi).await;
    assert_eq!(
        find(&late, "/late", "en").unwrap()["text"],
        "Hi {customer_name}, I'm {agent_name}: your parcel is on its way."
    );

    // Changed: agents get the new words, in the new language.
    ana.call(
        &app,
        "/api/canned/update",
        json!({
            "canned_id": id, "title": "Paket terlambat", "shortcut": "/telat",
            "language": "id", "text": "Halo {customer_name}, paket Anda sedang dalam perjalanan."
        }),
    )
    .await
    .ok();
    let changed = offered(&app, &budi).await;
    assert!(find(&changed, "/late", "en").is_none());
    assert_eq!(
        find(&changed, "/telat", "id").unwrap()["title"],
        "Paket terlambat"
    );

    // Retired: no longer offered, not retired twice, not changed any more; its shortcut is
    // free for a new reply.
    ana.call(&app, "/api/canned/retire", json!({ "canned_id": id }))
        .await
        .ok();
    assert!(find(&offered(&app, &budi).await, "/telat", "id").is_none());
    let again = ana
        .call(&app, "/api/canned/retire", json!({ "canned_id": id }))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let revive = ana
        .call(
            &app,
            "/api/canned/update",
            json!({ "canned_id": id, "title": "t", "shortcut": "/x", "language": "en", "text": "x" }),
        )
        .await;
    assert_eq!(revive.status, StatusCode::NOT_FOUND);
    ana.call(
        &app,
        "/api/canned/create",
        json!({ "title": "Late", "shortcut": "/telat", "language": "id", "text": "Maaf, paket terlambat." }),
    )
    .await
    .ok();
    assert_eq!(offered(&app, &budi).await.len(), 11);

    // Each change is in the audit log under the supervisor's name.
    let admin = app.agent("admin@baton.dev").await;
    let log = admin.call(&app, "/api/admin/audit", json!({})).await.ok();
    let canned: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|e| e["action"].as_str().unwrap().starts_with("canned_"))
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let actions: Vec<&str> = canned.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "canned_created",
            "canned_changed",
            "canned_retired",
            "canned_created"
        ]
    );
    assert!(canned.iter().all(|(_, who)| who == &ana.name));
}

#[tokio::test]
async fn agents_are_refused_and_bad_or_duplicate_replies_change_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let before = offered(&app, &budi).await;
    let sorry = find(&before, "/sorry", "en").unwrap()["id"].clone();

    // Agents pick replies; they do not write or retire them. Nobody signed out reads them.
    let refused = budi
        .call(
            &app,
            "/api/canned/create",
            json!({ "title": "Mine", "shortcut": "/mine", "language": "en", "text": "Hello" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = budi
        .call(&app, "/api/canned/retire", json!({ "canned_id": sorry }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stranger = app.post(&client(), "/api/canned/list", json!({})).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);

    let long = "x".repeat(4_001);
    let bad = [
        (
            json!({ "title": "  ", "shortcut": "/a", "language": "en", "text": "x" }),
            "title is empty",
        ),
        (
            json!({ "title": "a", "shortcut": "/two words", "language": "en", "text": "x" }),
            "shortcut",
        ),
        (
            json!({ "title": "a", "shortcut": "/a", "language": "fr", "text": "x" }),
            "no language `fr`",
        ),
        (
            json!({ "title": "a", "shortcut": "/a", "language": "en", "text": "" }),
            "text is empty",
        ),
        (
            json!({ "title": "a", "shortcut": "/a", "language": "en", "text": long }),
            "longer than 4000",
        ),
        (
            json!({ "title": "a", "shortcut": "/a", "language": "en", "text": "Order {order_id}" }),
            "{order_id}",
        ),
    ];
    for (body, why) in bad {
        let reply = ana.call(&app, "/api/canned/create", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
        assert_eq!(reply.kind(), "bad_input");
        assert!(reply.message().contains(why), "{why}: {}", reply.message());
    }

    // A shortcut on offer in a language is taken there, by a new reply or a change.
    let taken = ana
        .call(
            &app,
            "/api/canned/create",
            json!({ "title": "Sorry again", "shortcut": "/SORRY", "language": "en", "text": "Sorry!" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.message().contains("/sorry"), "{}", taken.message());
    let greet = find(&before, "/greet", "id").unwrap()["id"].clone();
    let taken = ana
        .call(
            &app,
            "/api/canned/update",
            json!({ "canned_id": greet, "title": "t", "shortcut": "/sorry", "language": "id", "text": "x" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    assert_eq!(offered(&app, &budi).await, before);
}
