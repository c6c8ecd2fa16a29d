//! Photos and documents: a customer sends a photo, the agent who owns the conversation sends a
//! PDF; files are recognised by their content (an SVG or a program renamed `.jpg` is refused,
//! and so is anything over 10 MB, storing nothing), served from Baton's origin with their real
//! type, their name and a policy that runs nothing, and only to those who may read the
//! conversation.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{client, Customer, Reply, TestApp};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Posts a multipart form to `path` with `http`.
async fn upload(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> Reply {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    }
    let response = http
        .post(format!("{}{path}", app.url))
        .multipart(form)
        .send()
        .await
        .expect("request reaches the server");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// The customer sends `bytes` as `name`.
async fn customer_attach(
    app: &TestApp,
    customer: &Customer,
    client_id: &str,
    caption: &str,
    name: &str,
    bytes: &[u8],
) -> Reply {
    upload(
        app,
        &client(),
        "/api/chat/attach",
        &[
            ("conversation_id", &customer.id),
            ("token", &customer.token),
            ("client_id", client_id),
            ("caption", caption),
        ],
        Some((name, bytes.to_vec())),
    )
    .await
}

/// GETs a file with optional headers: status, headers and bytes.
async fn fetch(
    app: &TestApp,
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = http.get(format!("{}{url}", app.url));
    if let Some(token) = token {
        request = request.header("X-Baton-Token", token);
    }
    let response = request.send().await.expect("request reaches the server");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// The customer's messages in their own view.
async fn customer_messages(app: &TestApp, customer: &Customer) -> Vec<Value> {
    app.history(customer).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["message"]["author"]["kind"] == "customer")
        .map(|event| event["message"].clone())
        .collect()
}

#[tokio::test]
async fn a_customers_photo_reaches_the_agent_and_only_the_customer_can_fetch_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let other = app.customer("Someone else").await;

    let message = customer_attach(
        &app,
        &customer,
        "photo-1",
        "The box arrived crushed",
        "C:\\photos\\kotak rusak.png",
        PNG,
    )
    .await
    .ok();
    assert_eq!(message["body"], "The box arrived crushed");
    let attachment = &message["attachment"];
    assert_eq!(attachment["name"], "kotak rusak.png");
    assert_eq!(attachment["kind"], "png");
    assert_eq!(attachment["size"], PNG.len());
    let url = format!("/api/files/{}", attachment["id"].as_str().unwrap());

    // Sent again with the same client id: the same message, one file.
    let again = customer_attach(&app, &customer, "photo-1", "x", "kotak rusak.png", PNG)
        .await
        .ok();
    assert_eq!(again["id"], message["id"]);
    assert_eq!(customer_messages(&app, &customer).await.len(), 1);

    // The customer, with the token in a header: the bytes, typed, named, unable to run.
    let (status, headers, bytes) = fetch(&app, &client(), &url, Some(&customer.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert_eq!(
        header(&headers, "content-disposition"),
        "inline; filename=\"kotak rusak.png\"; filename*=UTF-8''kotak%20rusak.png"
    );
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    let policy = header(&headers, "content-security-policy");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("sandbox"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");

    // Another customer's token, no token, a wrong token: no such file.
    for token in [Some(other.token.as_str()), Some("0123abcd")] {
        let (status, _, bytes) = fetch(&app, &client(), &url, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!bytes.starts_with(&PNG[..8]));
    }
    let (status, _, _) = fetch(&app, &client(), &url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Any signed-in agent, by the session cookie.
    let ana = app.agent("ana@baton.dev").await;
    let (status, _, bytes) = fetch(&app, &ana.client, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    let events = ana.get(&app, &customer.id).await["events"].clone();
    let carried = events
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["message"]["id"] == message["id"])
        .expect("the agent sees the message");
    assert_eq!(carried["message"]["attachment"], *attachment);
}

#[tokio::test]
async fn a_photo_in_ai_mode_brings_a_person_because_the_ai_cannot_look_at_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;

    customer_attach(&app, &customer, "p1", "", "damaged.png", PNG)
        .await
        .ok();

    let ana = app.agent("ana@baton.dev").await;
    let conversation = ana.get(&app, &customer.id).await["conversation"].clone();
    assert_eq!(
        conversation["waiting"]["reason"], "low_confidence",
        "{conversation}"
    );
    // Without a caption the message's words are the file's name; nobody's reply is invented.
    let sent = customer_messages(&app, &customer).await;
    assert_eq!(sent[0]["body"], "damaged.png");
}

#[tokio::test]
async fn refused_files_get_a_clear_400_and_store_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let before = app.history(&customer).await;

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    let html = b"<!doctype html><script>alert(1)</script>".to_vec();
    let mut huge = PNG.to_vec();
    huge.resize(10 * 1024 * 1024 + 1, 0);
    for (name, bytes, expected) in [
        (
            "cat.svg",
            svg,
            "Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent",
        ),
        (
            "invoice.jpg",
            exe,
            "Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent",
        ),
        (
            "page.png",
            html,
            "Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent",
        ),
        (
            "big.png",
            huge,
            "The file is larger than 10 MB: please send a smaller one",
        ),
        ("empty.png", Vec::new(), "The file is empty"),
    ] {
        let reply = customer_attach(&app, &customer, "f1", "", name, &bytes).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{name}: {:?}",
            reply.body
        );
        assert_eq!(reply.kind(), "bad_input", "{name}");
        assert_eq!(reply.message(), expected, "{name}");
    }
    // No file at all, or a broken id: 400 as well.
    let reply = upload(
        &app,
        &client(),
        "/api/chat/attach",
        &[
            ("conversation_id", &customer.id),
            ("token", &customer.token),
            ("client_id", "f2"),
        ],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = upload(
        &app,
        &client(),
        "/api/chat/attach",
        &[
            ("conversation_id", "nope"),
            ("token", &customer.token),
            ("client_id", "f3"),
        ],
        Some(("a.png", PNG.to_vec())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // A wrong token: 401, nothing stored.
    let reply = upload(
        &app,
        &client(),
        "/api/chat/attach",
        &[
            ("conversation_id", &customer.id),
            ("token", "wrong"),
            ("client_id", "f4"),
        ],
        Some(("a.png", PNG.to_vec())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Not a form at all (JSON, as the other calls take): the same JSON 400 as any bad input.
    let reply = app
        .post(
            &client(),
            "/api/chat/attach",
            serde_json::json!({ "conversation_id": customer.id, "token": customer.token }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.kind(), "bad_input");
    assert!(
        reply.message().contains("multipart/form-data"),
        "{}",
        reply.message()
    );

    assert_eq!(app.history(&customer).await, before);
}

#[tokio::test]
async fn the_owner_sends_a_pdf_that_downloads_and_others_may_not_send() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    let fields = [
        ("conversation_id", customer.id.as_str()),
        ("client_id", "pdf-1"),
    ];
    let message = upload(
        &app,
        &ana.client,
        "/api/conversations/attach",
        &fields,
        Some(("label retur.pdf", PDF.to_vec())),
    )
    .await
    .ok();
    assert_eq!(message["author"]["agent"]["name"], ana.name);
    assert_eq!(message["body"], "label retur.pdf");
    let url = format!(
        "/api/files/{}",
        message["attachment"]["id"].as_str().unwrap()
    );

    let (status, headers, bytes) = fetch(&app, &client(), &url, Some(&customer.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(header(&headers, "content-type"), "application/pdf");
    assert!(header(&headers, "content-disposition").starts_with("attachment; "));

    // Budi does not own it; nobody signed in may not send at all.
    let refused = upload(
        &app,
        &budi.client,
        "/api/conversations/attach",
        &[
            ("conversation_id", customer.id.as_str()),
            ("client_id", "pdf-2"),
        ],
        Some(("x.pdf", PDF.to_vec())),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    let anonymous = upload(
        &app,
        &client(),
        "/api/conversations/attach",
        &[
            ("conversation_id", customer.id.as_str()),
            ("client_id", "pdf-3"),
        ],
        Some(("x.pdf", PDF.to_vec())),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_upload_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let form = Form::new()
        .text("conversation_id", customer.id.clone())
        .text("token", customer.token.clone())
        .text("client_id", "x1")
        .part("file", Part::bytes(PNG.to_vec()).file_name("a.png"));
    let response = client()
        .post(format!("{}/api/chat/attach", app.url))
        .header("origin", "https://evil.example")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(customer_messages(&app, &customer).await.is_empty());
}
