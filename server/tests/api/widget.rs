//! The chat widget's server side: which sites may frame the embedded chat page, and what
//! `widget.js` learns from `/widget/status`.

use serde_json::{json, Value};

use crate::helpers::{client, TestApp};

/// A built SPA of one page, in a folder that lives as long as the test.
fn spa() -> tempfile::TempDir {
    let dist = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Baton</title><body></body>",
    )
    .unwrap();
    dist
}

async fn status(app: &TestApp, origin: Option<&str>) -> (Value, reqwest::header::HeaderMap) {
    let mut request = client().get(format!("{}/widget/status", app.url));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (response.json().await.unwrap(), headers)
}

#[tokio::test]
async fn only_the_widget_origins_may_frame_the_embedded_chat_page() {
    let dist = spa();
    let app = TestApp::spawn_with(|config| {
        config.dist = dist.path().to_owned();
        config.widget_origins = vec![
            "https://shop.example".into(),
            "https://www.shop.example".into(),
        ];
    })
    .await;

    let embed = client()
        .get(format!("{}/chat/embed", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(embed.status(), 200);
    let csp = embed.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.ends_with("frame-ancestors https://shop.example https://www.shop.example"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(embed.headers().get("x-frame-options").is_none());
    assert!(embed.text().await.unwrap().contains("<title>Baton</title>"));

    for path in ["/chat", "/agent", "/chat/embed/other"] {
        let page = client()
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let csp = page.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(page.headers()["x-frame-options"], "DENY", "{path}");
    }

    let (allowed, headers) = status(&app, Some("https://shop.example")).await;
    assert_eq!(allowed, json!({ "enabled": true, "allowed": true }));
    assert_eq!(headers["access-control-allow-origin"], "*");
    let (other, _) = status(&app, Some("https://evil.example")).await;
    assert_eq!(other, json!({ "enabled": true, "allowed": false }));
    let (no_origin, _) = status(&app, None).await;
    assert_eq!(no_origin, json!({ "enabled": true, "allowed": false }));
}

#[tokio::test]
async fn without_widget_origins_the_widget_is_off_and_nothing_may_frame_the_chat() {
    let dist = spa();
    let app = TestApp::spawn_with(|config| config.dist = dist.path().to_owned()).await;
    let embed = client()
        .get(format!("{}/chat/embed", app.url))
        .send()
        .await
        .unwrap();
    let csp = embed.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let (off, _) = status(&app, Some("https://shop.example")).await;
    assert_eq!(off, json!({ "enabled": false, "allowed": false }));
}

#[tokio::test]
async fn customers_get_their_own_page_and_bundle_and_agents_the_whole_spa() {
    let dist = spa();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Baton</title><script>load('/app.js')</script>",
    )
    .unwrap();
    std::fs::create_dir(dist.path().join("customer")).unwrap();
    std::fs::write(
        dist.path().join("customer/index.html"),
        "<!doctype html><title>Baton</title><script>load('/customer/chat.js')</script>",
    )
    .unwrap();
    let app = TestApp::spawn_with(|config| {
        config.dist = dist.path().to_owned();
        config.widget_origins = vec!["https://shop.example".into()];
    })
    .await;
    let page = |path: &'static str| {
        let url = format!("{}{path}", app.url);
        async move {
            let response = client().get(url).send().await.unwrap();
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            (csp, response.text().await.unwrap())
        }
    };
    for path in ["/chat", "/chat/embed"] {
        let (csp, html) = page(path).await;
        assert!(html.contains("/customer/chat.js"), "{path}: {html}");
        // Both pages' loaders are allowed, by their hashes: two of them.
        assert_eq!(csp.matches("'sha256-").count(), 2, "{path}: {csp}");
    }
    for path in ["/agent", "/", "/analytics"] {
        let (_, html) = page(path).await;
        assert!(html.contains("/app.js"), "{path}: {html}");
    }
}

#[tokio::test]
async fn the_bundle_goes_out_as_the_smallest_copy_the_browser_takes() {
    let dist = spa();
    std::fs::create_dir(dist.path().join("customer")).unwrap();
    let wasm = dist.path().join("customer/chat_bg.wasm");
    std::fs::write(&wasm, b"\0asm the bundle").unwrap();
    std::fs::write(wasm.with_extension("wasm.br"), b"brotli copy").unwrap();
    std::fs::write(wasm.with_extension("wasm.gz"), b"gzip copy").unwrap();
    let app = TestApp::spawn_with(|config| config.dist = dist.path().to_owned()).await;
    let fetch = |accepts: &'static str| {
        let url = format!("{}/customer/chat_bg.wasm", app.url);
        async move {
            let response = client()
                .get(url)
                .header("accept-encoding", accepts)
                .send()
                .await
                .unwrap();
            let encoding = response
                .headers()
                .get("content-encoding")
                .map(|value| value.to_str().unwrap().to_owned());
            (encoding, response.bytes().await.unwrap().to_vec())
        }
    };
    assert_eq!(
        fetch("gzip, deflate, br").await,
        (Some("br".into()), b"brotli copy".to_vec())
    );
    assert_eq!(
        fetch("gzip").await,
        (Some("gzip".into()), b"gzip copy".to_vec())
    );
    assert_eq!(
        fetch("identity").await,
        (None, b"\0asm the bundle".to_vec())
    );
}

/// The shop's identity secret in these tests.
const SECRET: &str = "the-shop-signs-its-customers-with-this";

/// A token the shop's backend signs for customer `sub`, living `lifetime_secs`.
fn identity(sub: &str, name: &str, lifetime_secs: i64, secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({
        "sub": sub,
        "name": name,
        "email": format!("{sub}@shop.example"),
        "iat": now,
        "exp": now + lifetime_secs,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn verified_app(require: bool) -> TestApp {
    TestApp::spawn_with(|config| {
        config.identity_secret = Some(server::config::IdentitySecret::parse(SECRET).unwrap());
        config.require_identity = require;
    })
    .await
}

async fn start(app: &TestApp, body: Value) -> crate::helpers::Reply {
    app.post(&client(), "/api/chat/start", body).await
}

async fn identify(app: &TestApp, body: Value) -> crate::helpers::Reply {
    app.post(&client(), "/api/chat/identify", body).await
}

async fn conversation_count(app: &TestApp) -> usize {
    let ana = app.agent("ana@baton.dev").await;
    let all = ana
        .call(app, "/api/conversations/list", json!({ "filter": "all" }))
        .await
        .ok();
    all["conversations"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_verified_customer_shows_as_verified_and_resumes_on_another_device() {
    let app = verified_app(false).await;
    let ana = app.agent("ana@baton.dev").await;
    let token = identity("cust-42", "Sari Wulandari", 600, SECRET);

    let phone = start(&app, json!({ "display_name": "typed", "identity": token }))
        .await
        .ok();
    let id = phone["conversation_id"].as_str().unwrap().to_owned();
    let seen = ana.get(&app, &id).await;
    assert_eq!(seen["conversation"]["customer_name"], "Sari Wulandari");
    assert_eq!(
        seen["conversation"]["verified"],
        json!({ "id": "cust-42", "email": "cust-42@shop.example" })
    );
    let kinds: Vec<&str> = seen["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["started", "customer_verified"]);

    // The laptop: the widget identifies the same customer before any chat is started there.
    let laptop = identify(
        &app,
        json!({ "identity": identity("cust-42", "Sari", 600, SECRET) }),
    )
    .await
    .ok();
    assert_eq!(laptop["conversation_id"], id.as_str());
    assert_ne!(laptop["token"], phone["token"]);
    // Starting again resumes too, and every device's token keeps working.
    let again = start(&app, json!({ "identity": token })).await.ok();
    assert_eq!(again["conversation_id"], id.as_str());
    for device in [&phone, &laptop, &again] {
        let customer = crate::helpers::Customer {
            id: id.clone(),
            token: device["token"].as_str().unwrap().to_owned(),
        };
        app.customer_send(&customer, &format!("c-{}", &customer.token[..8]), "Hi")
            .await
            .ok();
        let history = app.history(&customer).await;
        assert!(
            !history.to_string().contains("customer_verified"),
            "the customer's view carries no verification event"
        );
    }
    assert_eq!(conversation_count(&app).await, 1);
}

#[tokio::test]
async fn a_forged_expired_or_misplaced_token_never_becomes_a_verified_identity() {
    let app = verified_app(false).await;
    let forged = identity("cust-42", "Sari", 600, "somebody-else's-secret-of-32-bytes");
    let expired = identity("cust-42", "Sari", -600, SECRET);
    let too_long = identity("cust-42", "Sari", 24 * 3_600, SECRET);
    for (token, why) in [
        (forged.as_str(), "signature"),
        (expired.as_str(), "expired"),
        (too_long.as_str(), "hour"),
        ("not-a-token", "JWT"),
    ] {
        let refused = start(&app, json!({ "identity": token })).await;
        assert_eq!(refused.status, 401, "{why}: {:?}", refused.body);
        assert!(
            refused.message().contains("identity token was refused"),
            "{refused:?}"
        );
        assert!(refused.message().contains(why), "{why}: {refused:?}");
        assert_eq!(
            identify(&app, json!({ "identity": token })).await.status,
            401
        );
    }
    assert_eq!(
        conversation_count(&app).await,
        0,
        "nothing refused was started"
    );

    // An anonymous chat whose browser presents a forged token stays anonymous.
    let guest = app.customer("Guest").await;
    let held = json!({ "identity": forged, "conversation_id": guest.id, "token": guest.token });
    assert_eq!(identify(&app, held).await.status, 401);
    let ana = app.agent("ana@baton.dev").await;
    assert!(ana.get(&app, &guest.id).await["conversation"]["verified"].is_null());

    // A token in the query string is not read.
    let misplaced = app
        .post(
            &client(),
            &format!(
                "/api/chat/start?identity={}",
                identity("cust-9", "Dewi", 600, SECRET)
            ),
            json!({}),
        )
        .await
        .ok();
    let id = misplaced["conversation_id"].as_str().unwrap();
    assert!(ana.get(&app, id).await["conversation"]["verified"].is_null());
}

#[tokio::test]
async fn identifying_marks_an_anonymous_chat_and_never_shows_another_customers() {
    let app = verified_app(false).await;
    let ana = app.agent("ana@baton.dev").await;
    let guest = app.customer("Guest").await;
    let held = |token: &str, customer: &crate::helpers::Customer| json!({ "identity": token, "conversation_id": customer.id, "token": customer.token });

    // The visitor signs in on the shop mid-chat: the same conversation, now verified.
    let dewi = identity("cust-7", "Dewi Lestari", 600, SECRET);
    let shown = identify(&app, held(&dewi, &guest)).await.ok();
    assert_eq!(shown["conversation_id"], guest.id.as_str());
    assert_eq!(shown["token"], guest.token.as_str());
    let seen = ana.get(&app, &guest.id).await;
    assert_eq!(seen["conversation"]["verified"]["id"], "cust-7");
    assert_eq!(seen["conversation"]["customer_name"], "Dewi Lestari");
    // Identifying again changes nothing.
    assert_eq!(identify(&app, held(&dewi, &guest)).await.ok(), shown);
    assert_eq!(ana.get(&app, &guest.id).await["events"], seen["events"]);

    // Someone else signs in on that computer: Dewi's chat is not shown to them.
    let budi = identity("cust-8", "Budi", 600, SECRET);
    assert!(identify(&app, held(&budi, &guest)).await.ok().is_null());
    // Budi's own open conversation is, though.
    let budis = start(&app, json!({ "identity": budi })).await.ok();
    let shown = identify(&app, held(&budi, &guest)).await.ok();
    assert_eq!(shown["conversation_id"], budis["conversation_id"]);

    // A closed conversation is not resumed: the customer starts a new one.
    ana.takeover(&app, &guest.id).await.ok();
    ana.close(&app, &guest.id).await.ok();
    assert!(identify(&app, json!({ "identity": dewi }))
        .await
        .ok()
        .is_null());
}

#[tokio::test]
async fn with_identity_required_anonymous_chats_are_refused() {
    let app = verified_app(true).await;
    let anonymous = start(&app, json!({ "display_name": "Guest" })).await;
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous.message().contains("signed-in customers"),
        "{anonymous:?}"
    );
    let verified = start(
        &app,
        json!({ "identity": identity("cust-1", "Sari", 600, SECRET) }),
    )
    .await
    .ok();
    assert!(verified["conversation_id"].is_string());
    assert_eq!(conversation_count(&app).await, 1);

    let unconfigured = TestApp::spawn().await;
    let refused = start(
        &unconfigured,
        json!({ "identity": identity("cust-1", "Sari", 600, SECRET) }),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert!(
        refused.message().contains("no identity secret"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_verified_customers_earlier_conversations_follow_them_to_another_device() {
    let app = verified_app(false).await;
    let ana = app.agent("ana@baton.dev").await;
    let contact = |id: String| {
        let (app, ana) = (&app, &ana);
        async move {
            ana.call(
                app,
                "/api/conversations/contact",
                json!({ "conversation_id": id }),
            )
            .await
            .ok()
        }
    };

    let phone = start(
        &app,
        json!({ "identity": identity("cust-7", "Rina", 600, SECRET) }),
    )
    .await
    .ok();
    let first = phone["conversation_id"].as_str().unwrap().to_owned();
    ana.takeover(&app, &first).await.ok();
    ana.close(&app, &first).await.ok();

    // Another device, nothing kept in its browser: a new conversation, with the first in its
    // history.
    let laptop = start(
        &app,
        json!({ "identity": identity("cust-7", "Rina", 600, SECRET) }),
    )
    .await
    .ok();
    let second = laptop["conversation_id"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let seen = contact(second).await;
    assert_eq!(seen["verified"]["id"], "cust-7");
    assert_eq!(seen["earlier"][0]["id"], first.as_str());
    assert_eq!(seen["earlier"][0]["closed"], true);

    // Another verified customer's history is not theirs.
    let other = start(
        &app,
        json!({ "identity": identity("cust-8", "Joko", 600, SECRET) }),
    )
    .await
    .ok();
    let seen = contact(other["conversation_id"].as_str().unwrap().to_owned()).await;
    assert_eq!(seen["earlier"], json!([]));
}
