//! Search and paging of the dashboard's list: the server finds conversations by customer
//! name and message text (closed ones too), reads any input as plain words, and hands the
//! list out a page at a time, each page after the last one's cursor.

use std::collections::HashSet;

use app::api::conversations::ConversationPage;
use app::backend::NewConversation;
use app::domain::{
    Conversation, ConversationId, DisplayName, EscalationReason, ListCursor, MessageBody, Timestamp,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{AgentClient, Reply, TestApp};

/// One page of `conversations/list` as `agent` asks for it with `body`.
async fn list(app: &TestApp, agent: &AgentClient, body: Value) -> ConversationPage {
    let page = agent.call(app, "/api/conversations/list", body).await.ok();
    serde_json::from_value(page).expect("a page of conversations")
}

/// The customers' names the search `query` finds under `filter`.
async fn found(app: &TestApp, agent: &AgentClient, filter: &str, query: &str) -> Vec<String> {
    let page = list(app, agent, json!({ "filter": filter, "query": query })).await;
    page.conversations
        .into_iter()
        .map(|c| c.customer_name)
        .collect()
}

/// Starts `name`'s conversation and sends `messages`, one after the other.
async fn chat(app: &TestApp, name: &str, messages: &[&str]) -> String {
    let customer = app.customer(name).await;
    for (n, body) in messages.iter().enumerate() {
        app.customer_send(&customer, &format!("m{n}"), body)
            .await
            .ok();
    }
    customer.id
}

#[tokio::test]
async fn a_word_from_the_third_message_finds_its_conversation() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    chat(
        &app,
        "Sari",
        &["Hello", "I ordered a fridge", "The kulkas came dented"],
    )
    .await;
    chat(&app, "Budi", &["Hello", "My quokka plush is missing"]).await;

    assert_eq!(found(&app, &ana, "all", "kulkas").await, ["Sari"]);
    // Any letter case, the last word as a word's start, words from different messages.
    assert_eq!(found(&app, &ana, "all", "FRIDGE kulk").await, ["Sari"]);
    assert_eq!(found(&app, &ana, "all", "\"came dented\"").await, ["Sari"]);
    assert!(found(&app, &ana, "all", "\"dented came\"").await.is_empty());
    assert_eq!(found(&app, &ana, "all", "quokka").await, ["Budi"]);
    assert!(found(&app, &ana, "all", "kulkas quokka").await.is_empty());
}

#[tokio::test]
async fn the_customers_name_finds_the_conversation_but_batons_own_notices_do_not() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let sari = chat(
        &app,
        "Sari Wulandari",
        &["Halo, marzipan saya belum datang"],
    )
    .await;
    chat(&app, "Joko", &["Tamarind, terima kasih"]).await;
    ana.takeover(&app, &sari).await.ok();

    assert_eq!(
        found(&app, &ana, "all", "wulandari").await,
        ["Sari Wulandari"]
    );
    assert_eq!(
        found(&app, &ana, "all", "sari marzipan").await,
        ["Sari Wulandari"]
    );
    assert_eq!(found(&app, &ana, "all", "wula").await, ["Sari Wulandari"]);
    // The takeover notice names Ana; only what people wrote is searched.
    assert!(found(&app, &ana, "all", "\"ana putri\"").await.is_empty());
}

#[tokio::test]
async fn closed_conversations_are_found_under_the_closed_filter() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let closed = chat(&app, "Dewi", &["My zanzibar code does not work"]).await;
    chat(&app, "Eko", &["Another zanzibar question"]).await;
    ana.takeover(&app, &closed).await.ok();
    ana.close(&app, &closed).await.ok();

    assert_eq!(found(&app, &ana, "closed", "zanzibar").await, ["Dewi"]);
    assert_eq!(found(&app, &ana, "all", "zanzibar").await, ["Eko"]);
}

#[tokio::test]
async fn hostile_queries_are_read_as_plain_words_and_never_fail() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    chat(&app, "Rina", &["Order a:b arrived, see NEAR(x) -x"]).await;
    let hostile = [
        "\"",
        "\"\"",
        "*",
        "NEAR(",
        "NEAR(a b)",
        "a:b",
        "-x",
        "a OR b",
        "NOT rina",
        "'; DROP TABLE conversations; --",
        "rina*",
        "^rina",
        "(",
        "&|!<->",
        "\\",
        "²",
        "😀",
        "ＮＥＡＲ",
        &"x ".repeat(100),
        &"é".repeat(200),
    ];
    for query in hostile {
        let reply = ana
            .call(
                &app,
                "/api/conversations/list",
                json!({ "filter": "all", "query": query }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query:?}: {:?}", reply.body);
    }
    // Punctuation separates words, as in the text searched.
    assert_eq!(found(&app, &ana, "all", "a:b").await, ["Rina"]);
    assert_eq!(found(&app, &ana, "all", "NEAR(x").await, ["Rina"]);
    assert_eq!(found(&app, &ana, "all", "-x rina").await, ["Rina"]);
    // Nothing to search for: the whole list.
    assert_eq!(found(&app, &ana, "all", "* \" ()").await, ["Rina"]);

    let long: Reply = ana
        .call(
            &app,
            "/api/conversations/list",
            json!({ "query": "x".repeat(201) }),
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert_eq!(long.kind(), "bad_input");
    assert_eq!(
        long.message(),
        "search is too long: 201 characters, at most 200"
    );
}

#[tokio::test]
async fn a_page_holds_fifty_unless_asked_and_a_bad_cursor_is_refused() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    create_conversations(&app, 60).await;

    let first = list(&app, &ana, json!({})).await;
    assert_eq!(first.conversations.len(), 50);
    let rest = list(&app, &ana, json!({ "cursor": first.next_cursor })).await;
    assert_eq!(rest.conversations.len(), 10);
    assert_eq!(rest.next_cursor, None, "the last page says so");
    let capped = list(&app, &ana, json!({ "limit": 100_000 })).await;
    assert_eq!(capped.conversations.len(), 60);

    for cursor in ["nope", "1.2.3", ""] {
        let reply = ana
            .call(&app, "/api/conversations/list", json!({ "cursor": cursor }))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{cursor:?}");
        assert_eq!(reply.kind(), "bad_input");
    }
}

#[tokio::test]
async fn paging_walks_every_conversation_once_in_the_lists_order() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let created = create_conversations(&app, 640).await;

    // Everything the store holds, in the domain's order.
    let mut expected: Vec<Conversation> = app
        .server
        .store
        .list_conversations(
            Default::default(),
            ana.id.parse().unwrap(),
            &Default::default(),
            &Default::default(),
            None,
            10_000,
        )
        .await
        .unwrap();
    assert_eq!(expected.len(), created.len());
    expected.sort_by(Conversation::list_order);

    let started = std::time::Instant::now();
    let walked = walk(&app, &ana, json!({ "filter": "all", "limit": 97 })).await;
    let ids = |list: &[Conversation]| list.iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&walked),
        ids(&expected),
        "no duplicates, no gaps, in order"
    );
    println!(
        "walked {} conversations in pages of 97 in {:?}",
        walked.len(),
        started.elapsed()
    );

    // A search pages the same way: every conversation of the named customers, once.
    let rinas: Vec<ConversationId> = expected
        .iter()
        .filter(|c| c.customer_name.starts_with("Rina"))
        .map(|c| c.id)
        .collect();
    let walked = walk(&app, &ana, json!({ "query": "rina", "limit": 60 })).await;
    assert_eq!(ids(&walked), rinas);
}

#[tokio::test]
async fn a_conversation_that_moves_while_an_agent_pages_is_never_listed_twice() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    create_conversations(&app, 30).await;

    let first = list(&app, &ana, json!({ "limit": 10 })).await;
    // The tenth conversation of the first page gets a new message: it moves to the top.
    let moved = first.conversations[9].id;
    let body = MessageBody::parse("Any news?").unwrap();
    app.server
        .store
        .append_message(
            moved,
            app::backend::NewMessage {
                author: app::domain::Author::Customer,
                body,
                client_id: None,
                decided_at: None,
                file: None,
            },
            Timestamp(i64::MAX / 2),
        )
        .await
        .unwrap();

    let mut seen: Vec<ConversationId> = first.conversations.iter().map(|c| c.id).collect();
    let mut cursor = first.next_cursor;
    while let Some(after) = cursor {
        let page = list(&app, &ana, json!({ "cursor": after, "limit": 10 })).await;
        seen.extend(page.conversations.iter().map(|c| c.id));
        cursor = page.next_cursor;
    }
    let distinct: HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "listed once");
    assert_eq!(seen.len(), 30, "and every other one still comes");
}

/// Every conversation `body` lists, page after page, each asked with the cursor before.
async fn walk(app: &TestApp, agent: &AgentClient, body: Value) -> Vec<Conversation> {
    let mut walked = Vec::new();
    let mut cursor: Option<ListCursor> = None;
    loop {
        let mut ask = body.clone();
        ask["cursor"] = json!(cursor);
        let page = list(app, agent, ask).await;
        assert!(page.conversations.len() <= body["limit"].as_u64().unwrap_or(50) as usize);
        walked.extend(page.conversations);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return walked,
        }
    }
}

/// Creates `count` conversations straight in the store, concurrently: customers named
/// "Rina n" and "Joko n", last active in bunches of three at the same millisecond (so ties
/// go by id), every seventh waiting for a human. Returns their ids.
async fn create_conversations(app: &TestApp, count: usize) -> Vec<ConversationId> {
    let store = &app.server.store;
    let base = 1_800_000_000_000_i64;
    let one = |n: usize| async move {
        let name = if n.is_multiple_of(2) { "Rina" } else { "Joko" };
        let new = NewConversation {
            id: ConversationId::new(),
            customer_name: DisplayName::parse(&format!("{name} {n}")).unwrap(),
            token_hash: format!("hash-{n}"),
            verified: None,
            locale: Default::default(),
            origin: Default::default(),
        };
        let at = Timestamp(base + (n / 3) as i64);
        let id = store.create_conversation(new, at).await.unwrap().id;
        if n.is_multiple_of(7) {
            let notice = MessageBody::parse("A person will join").unwrap();
            let reason = EscalationReason::CustomerAsked;
            let waits = Timestamp(base - (n % 5) as i64);
            store
                .mark_waiting(id, reason, None, None, notice, waits)
                .await
                .unwrap();
        }
        id
    };
    let mut ids = Vec::with_capacity(count);
    for bunch in (0..count).collect::<Vec<_>>().chunks(64) {
        ids.extend(futures::future::join_all(bunch.iter().map(|&n| one(n))).await);
    }
    ids
}

#[tokio::test]
async fn each_filter_chip_counts_exactly_what_its_list_holds() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let _with_ai = app.customer("Ayu").await;
    let waiting = app.customer("Wulan").await;
    let taken = app.customer("Tono").await;
    let closed = app.customer("Citra").await;
    app.post(
        &crate::helpers::client(),
        "/api/chat/request_human",
        json!({ "conversation_id": waiting.id, "token": waiting.token }),
    )
    .await
    .ok();
    ana.takeover(&app, &taken.id).await.ok();
    budi.close(&app, &closed.id).await.ok();

    for (agent, expected) in [
        (
            &ana,
            [
                ("all", 3),
                ("ai", 2),
                ("waiting", 1),
                ("mine", 1),
                ("others", 0),
            ],
        ),
        (
            &budi,
            [
                ("all", 3),
                ("ai", 2),
                ("waiting", 1),
                ("mine", 0),
                ("others", 1),
            ],
        ),
    ] {
        let counts = agent
            .call(&app, "/api/conversations/counts", json!({}))
            .await
            .ok();
        let counts: Vec<(String, u64)> = counts
            .as_array()
            .unwrap()
            .iter()
            .map(|count| {
                (
                    count["filter"].as_str().unwrap().to_owned(),
                    count["count"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, u64)> = expected
            .iter()
            .map(|(filter, count)| (filter.to_string(), *count))
            .collect();
        assert_eq!(counts, expected, "{}", agent.name);
        // The count is the list's own rule: the same number the list holds.
        for (filter, count) in counts {
            let listed = list(&app, agent, json!({ "filter": filter })).await;
            assert_eq!(listed.conversations.len() as u64, count, "{filter}");
        }
    }
}
