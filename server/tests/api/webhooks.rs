//! Webhooks as an integrator receives them: signed per the Standard Webhooks specification
//! (checked here with the specification's algorithm), retried with the same id until they
//! arrive, never lost to a crash, never sent inward without the flag; and the admin's side.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{client, AgentClient, ChildServer, TestApp, PASSWORD};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on 127.0.0.1: records every request and answers the scripted
/// statuses in order, then 200.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub(crate) async fn start(script: &[u16]) -> Self {
        Self::start_on("127.0.0.1:0", script).await
    }

    async fn start_on(addr: &str, script: &[u16]) -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let (recorded, scripted) = (got.clone(), script.clone());
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let (recorded, scripted) = (recorded.clone(), scripted.clone());
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    recorded.lock().unwrap().push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status = scripted.lock().unwrap().pop_front().unwrap_or(200);
                    (AxumStatus::from_u16(status).unwrap(), "thanks")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, got, script }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `count` requests arrived (at most `within`).
    pub(crate) async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= count {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {count} deliveries arrived: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Verifies a request the way the specification says a receiver must: every `v1,`
/// signature in the header is tried against HMAC-SHA256(key, "{id}.{timestamp}.{body}").
fn verify(secret: &str, received: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received.signature.split(' ').any(|sig| sig == expected)
}

async fn webhooks_app(allow_private: bool) -> TestApp {
    TestApp::spawn_with(move |config| {
        config.webhook_allow_private = allow_private;
        config.webhook_retry_secs = vec![1, 1, 1];
    })
    .await
}

/// Registers an endpoint for `events`; returns its id and secret.
pub(crate) async fn register(
    app: &TestApp,
    admin: &AgentClient,
    url: &str,
    events: Value,
) -> (String, String) {
    let created = admin
        .call(
            app,
            "/api/admin/webhooks/create",
            json!({ "url": url, "events": events }),
        )
        .await
        .ok();
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn log(app: &TestApp, admin: &AgentClient, endpoint: &str) -> Vec<Value> {
    admin
        .call(
            app,
            "/api/admin/webhooks/deliveries",
            json!({ "endpoint_id": endpoint }),
        )
        .await
        .ok()
        .as_array()
        .unwrap()
        .clone()
}

/// Reads the delivery log until `found` picks something out of it (at most `within`).
async fn log_until<T>(
    app: &TestApp,
    admin: &AgentClient,
    endpoint: &str,
    within: Duration,
    found: impl Fn(&[Value]) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let entries = log(app, admin, endpoint).await;
        if let Some(found) = found(&entries) {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "{entries:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_takeover_is_delivered_signed_on_the_third_attempt_with_the_same_id() {
    let app = webhooks_app(true).await;
    let receiver = Receiver::start(&[500, 500]).await;
    let admin = app.agent("admin@baton.dev").await;
    let (endpoint, secret) = register(
        &app,
        &admin,
        &receiver.url,
        json!(["conversation.taken_over", "conversation.handed_over"]),
    )
    .await;
    assert!(
        secret.starts_with("whsec_") && secret.len() >= 6 + 32,
        "{secret}"
    );

    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    let got = receiver.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "one webhook-id: {got:?}"
    );
    assert!(got.iter().all(|r| verify(&secret, r)), "signatures verify");
    let payload: Value = serde_json::from_str(&got[2].body).unwrap();
    assert_eq!(payload["type"], "conversation.taken_over");
    assert_eq!(payload["data"]["conversation_id"], customer.id.as_str());
    assert_eq!(payload["data"]["event"]["agent"]["name"], "Ana Putri");
    assert!(
        payload["timestamp"].as_str().unwrap().ends_with('Z'),
        "{payload}"
    );
    assert!(
        !got[2].body.contains(&customer.token),
        "customer tokens never leave"
    );

    // The log shows each attempt: 500, 500, then 200 and delivered.
    let delivery = log_until(&app, &admin, &endpoint, Duration::from_secs(5), |entries| {
        (entries[0]["delivery"]["status"] == "delivered").then(|| entries[0].clone())
    })
    .await;
    let statuses: Vec<u64> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 500, 500], "newest first");
    assert_eq!(delivery["attempts"][0]["response"], "thanks");

    // A handover is filtered in, a message is not.
    ana.send(&app, &customer.id, "c1", "Hello, I'm Ana")
        .await
        .ok();
    ana.handover(&app, &customer.id, Some("Refund approved"))
        .await
        .ok();
    let got = receiver.wait_for(4, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap()["type"].to_string())
        .collect();
    assert_eq!(receiver.received().len(), 4, "{types:?}");
    let handover: Value = serde_json::from_str(&got[3].body).unwrap();
    assert_eq!(handover["type"], "conversation.handed_over");
    assert_eq!(handover["data"]["event"]["brief"], "Refund approved");
}

#[tokio::test]
async fn a_loopback_receiver_is_refused_without_the_flag() {
    let app = webhooks_app(false).await;
    let receiver = Receiver::start(&[]).await;
    let admin = app.agent("admin@baton.dev").await;
    let localhost = receiver.url.replace("127.0.0.1", "localhost");
    let (by_address, _) = register(&app, &admin, &receiver.url, Value::Null).await;
    let (by_name, _) = register(&app, &admin, &localhost, Value::Null).await;
    app.customer("Sari").await;

    for endpoint in [by_address, by_name] {
        let attempt = log_until(
            &app,
            &admin,
            &endpoint,
            Duration::from_secs(10),
            |entries| {
                entries
                    .first()
                    .and_then(|entry| entry["attempts"].as_array())
                    .and_then(|attempts| attempts.first())
                    .cloned()
            },
        )
        .await;
        assert!(attempt["status"].is_null(), "{attempt}");
        let why = attempt["response"].as_str().unwrap();
        assert!(
            why.starts_with("refused:") && why.contains("--webhook-allow-private"),
            "{why}"
        );
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

#[tokio::test]
async fn a_receiver_that_answers_410_disables_its_endpoint() {
    let app = webhooks_app(true).await;
    let receiver = Receiver::start(&[410]).await;
    let admin = app.agent("admin@baton.dev").await;
    let (endpoint, _) = register(&app, &admin, &receiver.url, Value::Null).await;
    let customer = app.customer("Sari").await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let endpoints = admin
            .call(&app, "/api/admin/webhooks/list", json!({}))
            .await
            .ok();
        if endpoints[0]["enabled"] == false {
            assert!(endpoints[0]["disabled_reason"]
                .as_str()
                .unwrap()
                .contains("410"));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{endpoints}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Nothing more is sent, and the delivery failed.
    app.customer_send(&customer, "m1", "Where is my parcel?")
        .await
        .ok();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(receiver.received().len(), 1);
    let entries = log(&app, &admin, &endpoint).await;
    assert!(
        entries.iter().all(|e| e["delivery"]["status"] == "failed"),
        "{entries:?}"
    );
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_and_a_replay_keeps_the_id() {
    let app = webhooks_app(true).await;
    let receiver = Receiver::start(&[]).await;
    let admin = app.agent("admin@baton.dev").await;
    let (endpoint, old) =
        register(&app, &admin, &receiver.url, json!(["conversation.started"])).await;
    let rotated = admin
        .call(
            &app,
            "/api/admin/webhooks/rotate",
            json!({ "endpoint_id": endpoint }),
        )
        .await
        .ok();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    app.customer("Sari").await;
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].signature.split(' ').count(), 2, "{:?}", got[0]);
    assert!(verify(&old, &got[0]) && verify(&new, &got[0]));

    let delivery = log(&app, &admin, &endpoint).await[0]["delivery"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .call(
            &app,
            "/api/admin/webhooks/replay",
            json!({ "delivery_id": delivery }),
        )
        .await
        .ok();
    let got = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(got[1].id, got[0].id);
    assert_eq!(got[1].body, got[0].body);

    let audit = admin
        .call(&app, "/api/admin/audit", json!({ "limit": 20 }))
        .await
        .ok()
        .to_string();
    for action in ["webhook_created", "webhook_rotated", "webhook_replayed"] {
        assert!(audit.contains(action), "{action} audited: {audit}");
    }
}

#[tokio::test]
async fn bad_endpoints_are_refused_with_400_and_only_admins_manage_them() {
    let app = webhooks_app(true).await;
    let admin = app.agent("admin@baton.dev").await;
    for (body, says) in [
        (json!({ "url": "ftp://hooks.shop.example/in" }), "https://"),
        (
            json!({ "url": "https://user:pw@hooks.shop.example/" }),
            "password",
        ),
        (json!({ "url": "not a url" }), "valid"),
        (
            json!({ "url": "https://hooks.shop.example/in", "events": ["message.deleted"] }),
            "message.deleted",
        ),
        (
            json!({ "url": "https://hooks.shop.example/in", "events": [] }),
            "at least one",
        ),
    ] {
        let reply = admin
            .call(&app, "/api/admin/webhooks/create", body.clone())
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {reply:?}");
        assert!(
            reply.message().contains(says),
            "{body}: {}",
            reply.message()
        );
    }
    let ana = app.agent("ana@baton.dev").await;
    let refused = ana
        .call(
            &app,
            "/api/admin/webhooks/create",
            json!({ "url": "https://hooks.shop.example/in" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let listed = admin
        .call(&app, "/api/admin/webhooks/list", json!({}))
        .await
        .ok();
    assert_eq!(listed, json!([]), "nothing was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_committed_before_a_crash_is_delivered_after_the_restart() {
    let mut server = ChildServer::start().await;
    let receiver = Receiver::start(&[503]).await;
    let http = client();
    let signed_in = http
        .post(format!("{}/api/agent/login", server.url))
        .json(&json!({ "email": "admin@baton.dev", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().is_success());
    let created: Value = http
        .post(format!("{}/api/admin/webhooks/create", server.url))
        .json(&json!({ "url": receiver.url, "events": ["conversation.started"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let started: Value = http
        .post(format!("{}/api/chat/start", server.url))
        .json(&json!({ "display_name": "Sari" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The first attempt fails (503); the server dies before the next one.
    receiver.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    *receiver.script.lock().unwrap() = VecDeque::new();
    server.launch().await;

    let got = receiver.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(
        got[1].id, got[0].id,
        "the same webhook-id after the restart"
    );
    assert!(verify(&secret, &got[1]));
    let payload: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(
        payload["data"]["conversation_id"],
        started["conversation_id"]
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(receiver.received().len(), 2, "delivered once after the 503");
}

#[tokio::test]
async fn disabling_an_endpoint_fails_what_was_waiting_for_it() {
    let app = webhooks_app(true).await;
    let receiver = Receiver::start(&[500, 500, 500]).await;
    let admin = app.agent("admin@baton.dev").await;
    let (endpoint, _) =
        register(&app, &admin, &receiver.url, json!(["conversation.started"])).await;
    app.customer("Sari").await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    admin
        .call(
            &app,
            "/api/admin/webhooks/update",
            json!({ "endpoint_id": endpoint, "url": receiver.url, "enabled": false }),
        )
        .await
        .ok();
    // An attempt already on its way when the endpoint was disabled may still arrive; none
    // is made after.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_disable = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        receiver.received().len(),
        at_disable,
        "no attempt after it was disabled"
    );
    let entries = log(&app, &admin, &endpoint).await;
    assert_eq!(entries[0]["delivery"]["status"], "failed", "{entries:?}");
}
