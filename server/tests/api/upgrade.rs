//! Upgrades: a database written by the previous schema version, with data in it, is
//! migrated at start and everything in it is intact and usable.

use serde_json::json;

use crate::helpers::{fresh_postgres_schema, messages_by, postgres_base, TestApp};

/// The previous schema version's fixture, loaded into a fresh database; its URL.
async fn previous_version_database(dir: &std::path::Path) -> String {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    match postgres_base() {
        Some(base) => {
            use sqlx::Connection;
            let url = fresh_postgres_schema(&base).await;
            let schema = url
                .rsplit("%3D")
                .next()
                .expect("a schema in the URL")
                .to_owned();
            let dump = std::fs::read_to_string(fixtures.join("schema-0002.postgres.sql")).unwrap();
            let mut db = sqlx::PgConnection::connect(&base).await.unwrap();
            sqlx::raw_sql(&dump.replace("__SCHEMA__", &schema))
                .execute(&mut db)
                .await
                .expect("the fixture loads");
            url
        }
        None => {
            let file = dir.join("previous.db");
            std::fs::copy(fixtures.join("schema-0002.sqlite"), &file).unwrap();
            format!("sqlite://{}", file.display())
        }
    }
}

#[tokio::test]
async fn a_database_from_the_previous_schema_version_upgrades_with_everything_intact() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = previous_version_database(dir.path()).await;

    let app = TestApp::spawn_on(database_url, |_| {}).await;

    // The agents and their passwords survived: Ana signs in as before.
    let ana = app.agent("ana@baton.dev").await;
    let list = ana
        .call(&app, "/api/conversations/list", json!({}))
        .await
        .ok();
    let conversations = list["conversations"].as_array().expect("a list");
    assert_eq!(conversations.len(), 1);
    let id = conversations[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(conversations[0]["customer_name"], "Sari Upgrade");
    // What was written before search existed is searchable: names and messages.
    for query in ["upgrade", "\"order 1234\"", "checking"] {
        let found = ana
            .call(&app, "/api/conversations/list", json!({ "query": query }))
            .await
            .ok();
        assert_eq!(found["conversations"][0]["id"], id.as_str(), "{query}");
    }
    let detail = ana.get(&app, &id).await;
    let events = &detail["events"];
    let seqs = crate::helpers::seqs(events);
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "the log is whole"
    );
    assert_eq!(
        messages_by(events, "customer"),
        vec!["Where is my order 1234?"]
    );
    assert_eq!(
        messages_by(events, "agent"),
        vec!["Checking order 1234 for you now."]
    );
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "handed_over" && e["brief"] == "Order 1234 ships Monday"),
        "the handover and its brief"
    );
    let audit = app.server.store.audit_log(None, 100).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for action in ["sign_in", "sign_in_refused", "take_over", "hand_over"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }

    // And it goes on working: a new takeover and reply land after the old events.
    ana.takeover(&app, &id).await.ok();
    ana.send(&app, &id, "after-upgrade", "Still here after the upgrade.")
        .await
        .ok();
    let after = crate::helpers::seqs(&ana.get(&app, &id).await["events"]);
    assert_eq!(after, (1..=after.len() as u64).collect::<Vec<_>>());
    assert!(after.len() > seqs.len());
}
