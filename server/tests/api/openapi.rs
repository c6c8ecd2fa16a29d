//! `/api/openapi.json`: the contract lists every server function there is, the conversations'
//! CSV, and nothing else.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{client, TestApp};

async fn document(app: &TestApp) -> Value {
    let response = client()
        .get(format!("{}/api/openapi.json", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_lists_exactly_the_api_that_answers() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");

    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut registered: BTreeSet<String> = server::http::api_paths().into_iter().collect();
    // Beside the server functions, the plain route it describes: a GET a link can download.
    let download = app::api::analytics::CONVERSATIONS_CSV;
    registered.insert(download.to_owned());
    // And the file routes (uploads as forms, the file itself).
    use app::domain::attachment::{AGENT_UPLOAD_PATH, CUSTOMER_UPLOAD_PATH, FILE_PATH};
    registered.extend([CUSTOMER_UPLOAD_PATH, AGENT_UPLOAD_PATH, FILE_PATH].map(String::from));
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "server functions missing from the OpenAPI document: {undocumented:?}"
    );
    let phantom: Vec<_> = documented.difference(&registered).collect();
    assert!(phantom.is_empty(), "documented but not served: {phantom:?}");

    let csv = &document["paths"][download]["get"];
    assert!(csv["summary"].as_str().is_some_and(|s| !s.is_empty()));
    let parameters: Vec<&str> = csv["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(parameters, ["from", "to", "utc_offset_minutes"]);
    assert!(csv["responses"]["200"]["content"]["text/csv; charset=utf-8"].is_object());
    for status in ["400", "401", "403", "500", "503"] {
        assert!(
            csv["responses"][status].is_object(),
            "{download} documents {status}"
        );
    }

    // The uploads take a form with the file; the file is a GET with its real type.
    for upload in [CUSTOMER_UPLOAD_PATH, AGENT_UPLOAD_PATH] {
        let form = &document["paths"][upload]["post"]["requestBody"]["content"]
            ["multipart/form-data"]["schema"];
        assert_eq!(form["properties"]["file"]["format"], "binary", "{upload}");
        assert!(form["required"]
            .as_array()
            .unwrap()
            .contains(&json!("file")));
    }
    let file = &document["paths"][FILE_PATH]["get"];
    for media_type in ["image/jpeg", "image/png", "application/pdf"] {
        assert!(file["responses"]["200"]["content"][media_type].is_object());
    }

    for (path, item) in document["paths"].as_object().unwrap() {
        if path == download || path == FILE_PATH {
            continue;
        }
        let post = &item["post"];
        assert!(post.is_object(), "{path} is documented as POST");
        assert!(
            post["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{path} has a summary"
        );
        let body = &post["requestBody"]["content"];
        assert!(
            body["application/json"]["schema"].is_object()
                || body["multipart/form-data"]["schema"].is_object(),
            "{path} documents its body"
        );
        for status in ["200", "400", "401", "404", "500", "503"] {
            assert!(
                post["responses"][status].is_object(),
                "{path} documents {status}"
            );
        }
    }
}

#[tokio::test]
async fn answers_have_the_documented_shape() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];

    // Signing in answers an Agent; a bad call answers an ApiError with its `kind`.
    let ana = app.agent("ana@baton.dev").await;
    let me = ana.call(&app, "/api/agent/me", json!({})).await.ok();
    let login = &document["paths"]["/api/agent/login"]["post"];
    let answer = &login["responses"]["200"]["content"]["application/json"]["schema"];
    let required = answer["required"].as_array().unwrap();
    for field in required {
        assert!(
            me.get(field.as_str().unwrap()).is_some(),
            "the answer has the required {field}"
        );
    }

    let refused = ana.takeover(&app, "nope").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let kinds: Vec<String> = schemas["ApiError"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|variant| variant["properties"]["kind"]["enum"].as_array().cloned())
        .flatten()
        .map(|kind| kind.as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&refused.kind().to_owned()), "{kinds:?}");
}
