//! Labels and priority: supervisors and admins keep the team's labels (audited); any agent
//! puts them on a conversation, takes them off and sets its priority, the list narrows to
//! one label and one priority, and the customer never learns of any of it. Agents labelling
//! one conversation at once never undo each other; bad input is a 400 that changes nothing.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{client, AgentClient, Customer, TestApp};

async fn team_labels(app: &TestApp, agent: &AgentClient) -> Vec<Value> {
    let list = agent.call(app, "/api/labels/list", json!({})).await.ok();
    list.as_array().unwrap().clone()
}

fn names(labels: &[Value]) -> Vec<&str> {
    labels.iter().map(|l| l["name"].as_str().unwrap()).collect()
}

async fn relabel(
    app: &TestApp,
    agent: &AgentClient,
    customer: &Customer,
    add: &[&str],
    remove: &[&str],
) -> Value {
    agent
        .call(
            app,
            "/api/conversations/labels",
            json!({ "conversation_id": customer.id, "add": add, "remove": remove }),
        )
        .await
        .ok()
}

/// The ids of the conversations the list shows under `narrowing` (label, priority, filter).
async fn listed(app: &TestApp, agent: &AgentClient, narrowing: Value) -> Vec<String> {
    let page = agent
        .call(app, "/api/conversations/list", narrowing)
        .await
        .ok();
    page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn carried(conversation: &Value) -> Vec<&str> {
    conversation["labels"]
        .as_array()
        .map(|ids| ids.iter().map(|id| id.as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn agents_label_and_prioritise_conversations_and_the_list_narrows_to_them() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let sari = app.customer("Sari").await;
    let tono = app.customer("Tono").await;
    let mut sari_socket = app.customer_socket(&sari, None).await;

    // Every team starts with four labels, by name.
    assert_eq!(
        names(&team_labels(&app, &budi).await),
        ["Bug", "Delivery", "Refund", "VIP"]
    );

    // Budi does not own the conversation; labelling and prioritising it is his all the same.
    let labelled = relabel(&app, &budi, &sari, &["label-vip", "label-refund"], &[]).await;
    assert_eq!(carried(&labelled), ["label-refund", "label-vip"]);
    let urgent = budi
        .call(
            &app,
            "/api/conversations/priority",
            json!({ "conversation_id": sari.id, "priority": "urgent" }),
        )
        .await
        .ok();
    assert_eq!(urgent["priority"], "urgent");
    // Asking for what is there already changes nothing and logs nothing.
    let again = relabel(&app, &budi, &sari, &["label-vip"], &[]).await;
    assert_eq!(again["last_seq"], urgent["last_seq"]);
    let again = budi
        .call(
            &app,
            "/api/conversations/priority",
            json!({ "conversation_id": sari.id, "priority": "urgent" }),
        )
        .await
        .ok();
    assert_eq!(again["last_seq"], urgent["last_seq"]);

    // The log says who did what, by the labels' names.
    let events = ana.get(&app, &sari.id).await["events"].clone();
    let changes: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "labels_changed" || e["type"] == "priority_changed")
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["by"]["name"], budi.name.as_str());
    let added: Vec<&str> = changes[0]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["Refund", "VIP"]);
    assert_eq!(changes[1]["priority"], "urgent");

    // The list narrows to a label, a priority, both, and with a filter.
    let all = listed(&app, &ana, json!({})).await;
    assert!(all.contains(&sari.id) && all.contains(&tono.id));
    assert_eq!(
        listed(&app, &ana, json!({ "label": "label-vip" })).await,
        [sari.id.as_str()]
    );
    assert_eq!(
        listed(&app, &ana, json!({ "priority": "urgent" })).await,
        [sari.id.as_str()]
    );
    assert_eq!(
        listed(&app, &ana, json!({ "priority": "normal" })).await,
        [tono.id.as_str()]
    );
    assert!(listed(&app, &ana, json!({ "label": "label-bug" }))
        .await
        .is_empty());
    assert!(listed(
        &app,
        &ana,
        json!({ "label": "label-vip", "filter": "mine" })
    )
    .await
    .is_empty());

    // Renamed: conversations carry it under its new name. Removed: taken off them all.
    ana.call(
        &app,
        "/api/labels/update",
        json!({ "label_id": "label-vip", "name": "VIP customer", "color": "green" }),
    )
    .await
    .ok();
    ana.call(
        &app,
        "/api/labels/delete",
        json!({ "label_id": "label-refund" }),
    )
    .await
    .ok();
    let labels = team_labels(&app, &budi).await;
    assert_eq!(names(&labels), ["Bug", "Delivery", "VIP customer"]);
    assert_eq!(labels[2]["color"], "green");
    let now = ana.get(&app, &sari.id).await["conversation"].clone();
    assert_eq!(carried(&now), ["label-vip"]);
    assert!(listed(&app, &ana, json!({ "label": "label-refund" }))
        .await
        .is_empty());
    let gone = ana
        .call(
            &app,
            "/api/labels/delete",
            json!({ "label_id": "label-refund" }),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // A new label is the team's at once; taking labels off is logged too.
    let late = ana
        .call(
            &app,
            "/api/labels/create",
            json!({ "name": "  Late   parcel ", "color": "amber" }),
        )
        .await
        .ok();
    assert_eq!(late["name"], "Late parcel");
    let late_id = late["id"].as_str().unwrap();
    let swapped = relabel(&app, &budi, &sari, &[late_id], &["label-vip"]).await;
    assert_eq!(carried(&swapped), [late_id]);

    // The customer hears nothing of it: not in their history, not on their socket.
    let history = serde_json::to_string(&app.history(&sari).await).unwrap();
    for secret in ["labels_changed", "priority", "VIP", "Late parcel", "urgent"] {
        assert!(!history.contains(secret), "{secret} in {history}");
    }
    while let Some(frame) = sari_socket.next_within(Duration::from_millis(300)).await {
        let frame = serde_json::to_string(&frame).unwrap();
        assert!(
            !frame.contains("labels_changed") && !frame.contains("VIP"),
            "{frame}"
        );
    }

    // Each change of the list is in the audit log under the supervisor's name.
    let admin = app.agent("admin@baton.dev").await;
    let log = admin.call(&app, "/api/admin/audit", json!({})).await.ok();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|e| e["action"].as_str().unwrap().starts_with("label_"))
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["label_changed", "label_deleted", "label_created"]);
}

#[tokio::test]
async fn two_agents_labelling_at_once_keep_both_labels() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let sari = app.customer("Sari").await;
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            relabel(&app, &ana, &sari, &["label-bug"], &["label-vip"]),
            relabel(&app, &budi, &sari, &["label-delivery"], &[]),
        );
        drop((a, b));
        let now = ana.get(&app, &sari.id).await["conversation"].clone();
        assert_eq!(carried(&now), ["label-bug", "label-delivery"]);
        let (a, b) = tokio::join!(
            relabel(&app, &ana, &sari, &["label-vip"], &["label-bug"]),
            relabel(&app, &budi, &sari, &[], &["label-delivery"]),
        );
        drop((a, b));
        let now = ana.get(&app, &sari.id).await["conversation"].clone();
        assert_eq!(carried(&now), ["label-vip"]);
    }
}

#[tokio::test]
async fn agents_are_refused_and_bad_labels_change_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let sari = app.customer("Sari").await;
    let before = team_labels(&app, &budi).await;

    // Agents use the labels; they do not change the list. Nobody signed out reads it.
    let refused = budi
        .call(
            &app,
            "/api/labels/create",
            json!({ "name": "Mine", "color": "red" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = budi
        .call(
            &app,
            "/api/labels/delete",
            json!({ "label_id": "label-vip" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stranger = app.post(&client(), "/api/labels/list", json!({})).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    let stranger = app
        .post(
            &client(),
            "/api/conversations/labels",
            json!({ "conversation_id": sari.id, "add": ["label-vip"] }),
        )
        .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);

    let bad = [
        (json!({ "name": "  ", "color": "red" }), "empty"),
        (json!({ "name": "a\nb", "color": "red" }), "one line"),
        (
            json!({ "name": "x".repeat(33), "color": "red" }),
            "at most 32",
        ),
    ];
    for (body, why) in bad {
        let reply = ana.call(&app, "/api/labels/create", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
        assert_eq!(reply.kind(), "bad_input");
        assert!(reply.message().contains(why), "{why}: {}", reply.message());
    }
    let pink = ana
        .call(
            &app,
            "/api/labels/create",
            json!({ "name": "Pink", "color": "pink" }),
        )
        .await;
    assert_eq!(pink.status, StatusCode::BAD_REQUEST);
    // A name is taken whatever its letter case, by a new label or a renamed one.
    let taken = ana
        .call(
            &app,
            "/api/labels/create",
            json!({ "name": "vip", "color": "red" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let taken = ana
        .call(
            &app,
            "/api/labels/update",
            json!({ "label_id": "label-bug", "name": "REFUND", "color": "red" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let missing = ana
        .call(
            &app,
            "/api/labels/update",
            json!({ "label_id": "nope", "name": "Nope", "color": "red" }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(team_labels(&app, &budi).await, before);

    // An unknown label, or more than ten on one conversation, is refused whole.
    let seq = ana.get(&app, &sari.id).await["conversation"]["last_seq"].clone();
    let unknown = budi
        .call(
            &app,
            "/api/conversations/labels",
            json!({ "conversation_id": sari.id, "add": ["label-vip", "label-nope"] }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.message().contains("label-nope"),
        "{}",
        unknown.message()
    );
    let mut ids: Vec<String> = Vec::new();
    for n in 0..7 {
        let made = ana
            .call(
                &app,
                "/api/labels/create",
                json!({ "name": format!("Topic {n}"), "color": "gray" }),
            )
            .await
            .ok();
        ids.push(made["id"].as_str().unwrap().to_owned());
    }
    ids.extend(before.iter().map(|l| l["id"].as_str().unwrap().to_owned()));
    let too_many = budi
        .call(
            &app,
            "/api/conversations/labels",
            json!({ "conversation_id": sari.id, "add": ids }),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(
        too_many.message().contains("at most 10"),
        "{}",
        too_many.message()
    );
    let critical = budi
        .call(
            &app,
            "/api/conversations/priority",
            json!({ "conversation_id": sari.id, "priority": "critical" }),
        )
        .await;
    assert_eq!(critical.status, StatusCode::BAD_REQUEST);
    let now = ana.get(&app, &sari.id).await["conversation"].clone();
    assert_eq!(now["last_seq"], seq);
    assert!(carried(&now).is_empty());
    assert_eq!(now["priority"], "normal");

    // No such conversation: 404.
    let nowhere = budi
        .call(
            &app,
            "/api/conversations/priority",
            json!({ "conversation_id": uuid::Uuid::new_v4().to_string(), "priority": "high" }),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let nowhere = budi
        .call(
            &app,
            "/api/conversations/labels",
            json!({ "conversation_id": uuid::Uuid::new_v4().to_string(), "add": ["label-vip"] }),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
}
