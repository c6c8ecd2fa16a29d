//! What an outsider, a former colleague or a crowd behind one proxy can do to a running
//! Baton, and what it must not achieve: memory that never comes back, sockets that outlive
//! their session, locked-out agents, a stalled server, deceptive text.

use std::time::Duration;

use app::live::ServerFrame;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client, ChildServer, TestApp, PASSWORD};

/// A WebSocket handshake for `/ws/chat` as a plain HTTP request (refusals answer before
/// any upgrade), with the token offered as a subprotocol.
async fn chat_handshake(http: &reqwest::Client, url: &str, conversation: &str) -> StatusCode {
    http.get(format!("{url}/ws/chat?conversation_id={conversation}"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header(
            "sec-websocket-protocol",
            format!("baton.chat, baton.token.{}", "0".repeat(64)),
        )
        .send()
        .await
        .expect("the server answers")
        .status()
}

#[tokio::test]
async fn refused_chat_handshakes_leave_no_channel_behind() {
    let app = TestApp::spawn_with(|c| c.limit_handshake_per_address = 0).await;
    let customer = app.customer("Sari").await;
    let http = client();

    for round in 0..500 {
        let unknown = uuid::Uuid::new_v4().to_string();
        assert_eq!(
            chat_handshake(&http, &app.url, &unknown).await,
            StatusCode::NOT_FOUND,
            "round {round}"
        );
        assert_eq!(
            chat_handshake(&http, &app.url, &customer.id).await,
            StatusCode::UNAUTHORIZED,
            "a wrong token for a real conversation"
        );
    }

    assert_eq!(app.server.hub.open_channels(), 0);
}

#[tokio::test]
async fn twenty_thousand_refused_handshakes_leave_the_servers_memory_flat() {
    // The real binary on its own SQLite file, handshake limits off (ChildServer's settings).
    let server = ChildServer::start_on(None).await;
    let url = server.url.clone();
    let http = client();
    let flood = |count: usize| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let workers = (0..8).map(|_| {
                let http = http.clone();
                let url = url.clone();
                async move {
                    for _ in 0..count / 8 {
                        let unknown = uuid::Uuid::new_v4().to_string();
                        assert_eq!(
                            chat_handshake(&http, &url, &unknown).await,
                            StatusCode::NOT_FOUND
                        );
                    }
                }
            });
            join_all(workers).await;
        }
    };

    flood(2_000).await; // warm-up: allocator pools, connection buffers
    let before = server.rss_kib();
    flood(20_000).await;
    let after = server.rss_kib();
    eprintln!("server RSS across 20,000 refused handshakes: {before} KiB → {after} KiB");

    // The leak kept ~8 KiB per refused handshake: 20,000 would add ~160 MiB.
    assert!(
        after.saturating_sub(before) < 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}

#[tokio::test]
async fn handshakes_from_one_address_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.limit_handshake_per_address = 5).await;
    let http = client();
    for _ in 0..5 {
        let unknown = uuid::Uuid::new_v4().to_string();
        assert_eq!(
            chat_handshake(&http, &app.url, &unknown).await,
            StatusCode::NOT_FOUND
        );
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        chat_handshake(&http, &app.url, &unknown).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_conversation_holds_a_capped_number_of_sockets_and_a_closed_one_frees_its_place() {
    let app = TestApp::spawn_with(|c| c.max_sockets_per_conversation = 2).await;
    let customer = app.customer("Sari").await;
    let first = app.customer_socket(&customer, None).await;
    let _second = app.customer_socket(&customer, None).await;

    let third = app
        .try_customer_socket(&customer.id, &customer.token, None)
        .await;
    assert_eq!(third.err(), Some(429));

    drop(first);
    let mut reopened = Err(0);
    for _ in 0..100 {
        reopened = app
            .try_customer_socket(&customer.id, &customer.token, None)
            .await;
        if reopened.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_ok(), "the closed socket's place is free again");
}

#[tokio::test]
async fn one_address_holds_a_capped_number_of_sockets() {
    let app = TestApp::spawn_with(|c| c.max_sockets_per_address = 3).await;
    let sari = app.customer("Sari").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(app.customer_socket(&sari, None).await);
    }
    let cookie = app.session_cookie("ana@baton.dev").await;
    let agent = app.try_socket("/ws", &[("cookie", cookie.as_str())]).await;
    assert_eq!(agent.err(), Some(429));
}

/// Waits (up to 15 s) for the socket to be told its session ended and to be closed.
async fn session_ends(socket: &mut crate::helpers::Socket) {
    let told = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match socket.next_within(Duration::from_secs(15)).await {
                Some(ServerFrame::Error { message }) if message.contains("session has ended") => {
                    return true
                }
                Some(_) => continue,
                None => return false,
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(told, "the socket is told its session ended");
    assert!(
        socket.next_within(Duration::from_secs(5)).await.is_none(),
        "and closed"
    );
}

#[tokio::test]
async fn a_disabled_agents_open_socket_is_closed() {
    let app = TestApp::spawn().await;
    let admin = app.agent("admin@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let mut socket = app.agent_socket("budi@baton.dev").await;

    admin
        .call(
            &app,
            "/api/admin/agents/disable",
            json!({ "agent_id": budi.id }),
        )
        .await
        .ok();

    session_ends(&mut socket).await;
}

#[tokio::test]
async fn signing_out_closes_that_sessions_socket() {
    let app = TestApp::spawn().await;
    let cookie = app.session_cookie("citra@baton.dev").await;
    let mut socket = app
        .try_socket("/ws", &[("cookie", cookie.as_str())])
        .await
        .expect("socket opens");

    let signed_out = client()
        .post(format!("{}/api/agent/logout", app.url))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::OK);

    session_ends(&mut socket).await;
}

/// A client whose requests come through the trusted proxy on behalf of `address`.
async fn sign_in_from(app: &TestApp, address: &str, password: &str) -> reqwest::Response {
    client()
        .post(format!("{}/api/agent/login", app.url))
        .header("x-forwarded-for", address)
        .json(&json!({ "email": "ana@baton.dev", "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_agent_out_elsewhere() {
    let app =
        TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;

    for attempt in 0..10 {
        let reply = sign_in_from(&app, "203.0.113.66", &format!("guess{attempt}")).await;
        assert_eq!(
            reply.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let attacker = sign_in_from(&app, "203.0.113.66", PASSWORD).await;
    let ana = sign_in_from(&app, "198.51.100.20", PASSWORD).await;

    assert_eq!(attacker.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = attacker.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("wrong passwords"),
        "{body}"
    );
    assert_eq!(
        ana.status(),
        StatusCode::OK,
        "Ana signs in from her own network"
    );
}

#[tokio::test]
async fn successful_sign_ins_are_not_counted_against_the_account() {
    let app = TestApp::spawn().await;
    for round in 0..15 {
        let reply = sign_in_from(&app, "unused", PASSWORD).await;
        assert_eq!(reply.status(), StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_customer_has_their_own_start_budget() {
    let app =
        TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let start = |address: &'static str| {
        let url = format!("{}/api/chat/start", app.url);
        async move {
            client()
                .post(url)
                .header("x-forwarded-for", address)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..30 {
        assert_eq!(start("203.0.113.1").await, StatusCode::OK);
    }
    assert_eq!(start("203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        start("203.0.113.2").await,
        StatusCode::OK,
        "another customer"
    );
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let app = TestApp::spawn().await;
    for n in 0..30 {
        let status = client()
            .post(format!("{}/api/chat/start", app.url))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK);
    }
    let spoofed = client()
        .post(format!("{}/api/chat/start", app.url))
        .header("x-forwarded-for", "198.51.100.99")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_sign_ins_do_not_stall_the_server() {
    let app = TestApp::spawn_with(|c| {
        c.limit_sign_in_per_address = 0;
        c.limit_sign_in_failures = 0;
        c.limit_sign_in_failures_per_account = 0;
    })
    .await;
    let sign_ins = join_all((0..40).map(|n| {
        let url = format!("{}/api/agent/login", app.url);
        async move {
            client()
                .post(url)
                .json(&json!({ "email": "budi@baton.dev", "password": format!("wrong{n}") }))
                .send()
                .await
                .unwrap()
                .status()
        }
    }));
    let health = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut slowest = Duration::ZERO;
        for _ in 0..5 {
            let asked = std::time::Instant::now();
            let reply = client()
                .get(format!("{}/health", app.url))
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), StatusCode::OK);
            slowest = slowest.max(asked.elapsed());
        }
        slowest
    };

    let (statuses, slowest) = tokio::join!(sign_ins, health);

    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
    // Password checks run off the async workers: /health is not queued behind argon2.
    assert!(
        slowest < Duration::from_millis(500),
        "/health took {slowest:?}"
    );
}

#[tokio::test]
async fn text_with_nul_or_reordering_characters_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let before = app.history(&customer).await;

    let nul = app
        .customer_send(&customer, "m1", "refund\u{0} please")
        .await;
    let bidi = app
        .customer_send(&customer, "m2", "pay \u{202E}0001\u{202C} now")
        .await;
    let name = app
        .post(
            &client(),
            "/api/chat/start",
            json!({ "display_name": "Sari\u{200B}" }),
        )
        .await;

    assert_eq!(nul.status, StatusCode::BAD_REQUEST);
    assert_eq!(bidi.status, StatusCode::BAD_REQUEST);
    assert_eq!(name.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.history(&customer).await, before, "nothing was stored");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/agent", "/health"] {
        let response = client()
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn a_dns_rebinding_page_cannot_call_the_api() {
    let app = TestApp::spawn().await;
    let response = client()
        .post(format!("{}/api/chat/start", app.url))
        .header("host", "attacker.example")
        .header("origin", "http://attacker.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "bad_input");
}

#[tokio::test]
async fn an_unknown_api_path_answers_the_documented_json_404() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(&client(), "/api/conversations/explode", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.kind(), "not_found");
}

#[tokio::test]
async fn the_server_binary_creates_a_first_admin_and_seeds_no_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let created = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args([
            "admin",
            "create",
            "--email",
            "owner@shop.example",
            "--name",
            "Owner",
        ])
        .env("DATABASE_URL", &database)
        .env("BATON_ADMIN_PASSWORD", "a long chosen secret")
        .env("RUST_LOG", "error")
        .output()
        .expect("baton runs");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let app = TestApp::spawn_on(database, |c| c.seed_demo = false).await;
    let owner = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "owner@shop.example", "password": "a long chosen secret" }),
        )
        .await;
    let demo = app
        .post(
            &client(),
            "/api/agent/login",
            json!({ "email": "admin@baton.dev", "password": PASSWORD }),
        )
        .await;
    assert_eq!(owner.status, StatusCode::OK);
    assert_eq!(owner.body["role"], "admin");
    assert_eq!(
        demo.status,
        StatusCode::UNAUTHORIZED,
        "no demo admin exists"
    );
}

#[tokio::test]
async fn demo_accounts_on_a_public_https_origin_stop_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args([
            "--seed-demo",
            "true",
            "--public-origin",
            "https://chat.shop.example",
        ])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("p.db").display()),
        )
        .env("BATON_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .output()
        .expect("baton runs");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("baton admin create"),
        "the refusal says what to do instead"
    );
}

/// Runs one raw statement on the app's database (SQLite or PostgreSQL).
async fn raw(app: &TestApp, statement: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    if app.database_url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(&app.database_url).await?;
        Ok(sqlx::query(statement)
            .execute(&mut db)
            .await?
            .rows_affected())
    } else {
        let mut db = sqlx::PgConnection::connect(&app.database_url).await?;
        Ok(sqlx::query(statement)
            .execute(&mut db)
            .await?
            .rows_affected())
    }
}

#[tokio::test]
async fn expired_sessions_and_old_refused_sign_ins_are_purged_and_nothing_else_ever_is() {
    use app::backend::{Clock, NewAudit, SystemClock};
    use app::domain::{AgentId, AuditAction, Timestamp};

    let app = TestApp::spawn().await;
    let store = app.server.store.as_ref();
    let now = SystemClock.now();
    let day = 24 * 3600 * 1000;
    let ana = AgentId::parse(&app.agent("ana@baton.dev").await.id).unwrap();
    store
        .create_session(
            "expired",
            ana,
            Timestamp(now.millis() - 2 * 3_600_000),
            Timestamp(now.millis() - 3_600_000),
        )
        .await
        .unwrap();
    let entry = |action| NewAudit {
        actor: None,
        action,
        conversation_id: None,
        detail: Some("x".into()),
    };
    store
        .append_audit(
            entry(AuditAction::SignInRefused),
            Timestamp(now.millis() - 40 * day),
        )
        .await
        .unwrap();
    store
        .append_audit(
            entry(AuditAction::TakeOver),
            Timestamp(now.millis() - 40 * day),
        )
        .await
        .unwrap();
    for _ in 0..5 {
        store
            .append_audit(entry(AuditAction::SignInRefused), now)
            .await
            .unwrap();
    }

    let purged = server::retention::purge(store, server::retention::retention(now, 30))
        .await
        .unwrap();
    assert_eq!(purged.sessions, 1, "the expired session");
    assert_eq!(
        purged.refused_sign_ins, 1,
        "the refused sign-in older than 30 days"
    );

    let capped = app::backend::Retention {
        refused_kept: 2,
        ..server::retention::retention(now, 30)
    };
    let purged = server::retention::purge(store, capped).await.unwrap();
    assert_eq!(purged.refused_sign_ins, 3, "only the newest 2 are kept");

    let log = store.audit_log(None, 1_000).await.unwrap();
    let refused = log
        .iter()
        .filter(|e| e.action == AuditAction::SignInRefused)
        .count();
    assert_eq!(refused, 2);
    assert!(
        log.iter().any(|e| e.action == AuditAction::TakeOver),
        "other entries are never purged"
    );
    assert!(
        raw(
            &app,
            "DELETE FROM audit_log WHERE action <> 'sign_in_refused'"
        )
        .await
        .is_err(),
        "the database refuses to delete anything else"
    );
    assert!(raw(&app, "UPDATE audit_log SET detail = 'forged'")
        .await
        .is_err());
}
