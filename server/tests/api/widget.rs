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
