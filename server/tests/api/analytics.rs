//! Analytics over the API: a scripted stretch of a shift, the figures a supervisor reads, and
//! who may read them. The definitions are unit-tested in `app::domain::analytics`; this checks
//! the store keeps each conversation's facts up with its log and selects those of the range
//! (on SQLite, and on PostgreSQL with the same numbers).

use serde_json::json;

use crate::helpers::{Customer, TestApp};

async fn ask_for_person(app: &TestApp, customer: &Customer) {
    app.post(
        &crate::helpers::client(),
        "/api/chat/request_human",
        json!({ "conversation_id": customer.id, "token": customer.token }),
    )
    .await
    .ok();
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_supervisor_reads_the_shifts_figures_from_the_event_log() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.set_status(&app, "online").await.ok();
    budi.set_status(&app, "online").await.ok();

    // The AI answers alone.
    let alone = app.customer("Alone").await;
    app.customer_send(&alone, "a-1", "How do I reset my password?")
        .await
        .ok();
    app.wait_until_quiet(&alone).await;
    // A person is asked for, Budi takes over, writes, and hands back.
    let helped = app.customer("Helped").await;
    ask_for_person(&app, &helped).await;
    budi.takeover(&app, &helped.id).await.ok();
    budi.send(&app, &helped.id, "b-1", "Hi, Budi here.")
        .await
        .ok();
    budi.handover(&app, &helped.id, None).await.ok();
    // Taken over by Budi, then transferred to Ana, who answers.
    let passed = app.customer("Passed").await;
    ask_for_person(&app, &passed).await;
    budi.takeover(&app, &passed.id).await.ok();
    budi.transfer(&app, &passed.id, &ana.id, Some("Billing"))
        .await
        .ok();
    ana.send(&app, &passed.id, "a-1", "Ana here, about billing.")
        .await
        .ok();
    // Asked for a person, nobody came, the conversation was closed.
    let left = app.customer("Left").await;
    ask_for_person(&app, &left).await;
    ana.close(&app, &left.id).await.ok();

    let now = now_ms();
    let range =
        json!({ "from": now - 3_600_000, "to": now + 3_600_000, "utc_offset_minutes": 420 });
    let analytics = ana
        .call(&app, "/api/analytics/report", range.clone())
        .await
        .ok();
    let totals = &analytics["report"]["totals"];
    assert_eq!(totals["started"], 4, "{totals}");
    assert_eq!(totals["ai_only"], 1, "{totals}");
    assert_eq!(totals["human"], 2, "{totals}");
    assert_eq!(totals["waits"], 3, "{totals}");
    assert_eq!(totals["served"], 2, "{totals}");
    assert_eq!(totals["abandoned"], 1, "{totals}");
    assert_eq!(totals["transfers"], 1, "{totals}");
    assert_eq!(totals["time_to_human"]["count"], 2, "{totals}");
    assert_eq!(totals["first_reply"]["count"], 2, "{totals}");
    // The handover is under 30 minutes old: not decided yet.
    assert_eq!(totals["handovers"], 0, "{totals}");
    let asked = analytics["report"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reason"] == "customer_asked")
        .cloned()
        .unwrap();
    assert_eq!(asked["count"], 3);
    let agents: Vec<(&str, u64)> = analytics["report"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent"]["name"].as_str().unwrap(),
                a["handled"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(agents, [("Ana Putri", 1), ("Budi Santoso", 2)]);
    let days = analytics["report"]["days"].as_array().unwrap();
    let started: u64 = days.iter().map(|d| d["started"].as_u64().unwrap()).sum();
    assert_eq!(started, 4);
    assert_eq!(analytics["previous"]["started"], 0);

    // What happens after a report is in the next one: the AI's customer asks for a person and
    // Ana takes over, so that conversation's facts, counted a moment ago, are folded again.
    ask_for_person(&app, &alone).await;
    ana.takeover(&app, &alone.id).await.ok();
    let later = ana
        .call(&app, "/api/analytics/report", range.clone())
        .await
        .ok();
    let totals = &later["report"]["totals"];
    assert_eq!(totals["started"], 4, "{totals}");
    assert_eq!(totals["ai_only"], 0, "{totals}");
    assert_eq!(totals["human"], 3, "{totals}");
    assert_eq!(totals["waits"], 4, "{totals}");
    assert_eq!(totals["served"], 3, "{totals}");

    // Agents may not read it; a malformed range is refused.
    let refused = budi.call(&app, "/api/analytics/report", range).await;
    assert_eq!(refused.status, 403);
    for bad in [
        json!({ "from": now, "to": now - 1 }),
        json!({ "from": 0, "to": 400 * 86_400_000i64 }),
        json!({ "from": 0, "to": 1, "utc_offset_minutes": 10_000 }),
    ] {
        let reply = ana.call(&app, "/api/analytics/report", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}: {:?}", reply.body);
    }
}

#[tokio::test]
async fn a_customer_rates_a_closed_conversation_once_and_the_rating_is_the_owners() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    budi.set_status(&app, "online").await.ok();
    let customer = app.customer("Rater").await;
    let client = crate::helpers::client();
    let rate = |body: serde_json::Value| {
        let mut body = body;
        body["conversation_id"] = json!(customer.id);
        body["token"] = json!(customer.token);
        app.post(&client, "/api/chat/rate", body)
    };

    // Still open: nothing to rate.
    let open = rate(json!({ "rating": 5 })).await;
    assert_eq!(open.status, 409, "{:?}", open.body);

    ana.takeover(&app, &customer.id).await.ok();
    ana.transfer(&app, &customer.id, &budi.id, None).await.ok();
    budi.close(&app, &customer.id).await.ok();

    for bad in [
        json!({ "rating": 0 }),
        json!({ "rating": 6 }),
        json!({ "rating": "five" }),
        json!({ "rating": 4, "comment": "x".repeat(501) }),
    ] {
        let refused = rate(bad.clone()).await;
        assert_eq!(refused.status, 400, "{bad}: {:?}", refused.body);
    }
    let wrong_token = app
        .post(
            &crate::helpers::client(),
            "/api/chat/rate",
            json!({ "conversation_id": customer.id, "token": "nope", "rating": 5 }),
        )
        .await;
    assert_eq!(wrong_token.status, 401);

    rate(json!({ "rating": 4, "comment": "  Budi sorted it out.  " }))
        .await
        .ok();
    let again = rate(json!({ "rating": 1 })).await;
    assert_eq!(again.status, 409, "{:?}", again.body);

    let now = now_ms();
    let range = json!({ "from": now - 3_600_000, "to": now + 3_600_000 });
    let analytics = ana.call(&app, "/api/analytics/report", range).await.ok();
    let csat = &analytics["report"]["totals"]["csat"];
    assert_eq!(
        csat["distribution"],
        json!([0, 0, 0, 1, 0]),
        "one 4, nothing refused stored"
    );
    let agents = analytics["report"]["agents"].as_array().unwrap();
    let budis = agents
        .iter()
        .find(|a| a["agent"]["name"] == "Budi Santoso")
        .unwrap();
    assert_eq!(budis["csat"]["distribution"], json!([0, 0, 0, 1, 0]));
    let anas = agents
        .iter()
        .find(|a| a["agent"]["name"] == "Ana Putri")
        .unwrap();
    assert_eq!(anas["csat"]["distribution"], json!([0, 0, 0, 0, 0]));

    // Reopened and closed again: a new segment, rated once more.
    ana.call(
        &app,
        "/api/conversations/reopen",
        json!({ "conversation_id": customer.id }),
    )
    .await
    .ok();
    let reopened = rate(json!({ "rating": 5 })).await;
    assert_eq!(reopened.status, 409);
    ana.close(&app, &customer.id).await.ok();
    rate(json!({ "rating": 5 })).await.ok();
}

#[tokio::test]
async fn with_csat_after_handover_a_handover_is_rated_by_its_agent() {
    let app = TestApp::spawn_with(|config| config.csat_after_handover = true).await;
    let ana = app.agent("ana@baton.dev").await;
    let customer = app.customer("Handed back").await;
    let client = crate::helpers::client();
    let rate = |rating: u8| {
        app.post(
            &client,
            "/api/chat/rate",
            json!({ "conversation_id": customer.id, "token": customer.token, "rating": rating }),
        )
    };
    ana.takeover(&app, &customer.id).await.ok();
    assert_eq!(
        rate(5).await.status,
        409,
        "a person has it: nothing to rate"
    );
    ana.handover(&app, &customer.id, None).await.ok();
    let history = app.history(&customer).await;
    assert_eq!(history["csat_after_handover"], true);
    rate(5).await.ok();
    assert_eq!(rate(4).await.status, 409, "once per handover");

    let now = now_ms();
    let range = json!({ "from": now - 3_600_000, "to": now + 3_600_000 });
    let analytics = ana.call(&app, "/api/analytics/report", range).await.ok();
    let anas = analytics["report"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["name"] == "Ana Putri")
        .cloned()
        .unwrap();
    assert_eq!(anas["csat"]["distribution"], json!([0, 0, 0, 0, 1]));

    // Without the setting a handover asks nothing.
    let plain = TestApp::spawn().await;
    let ana = plain.agent("ana@baton.dev").await;
    let customer = plain.customer("Handed back").await;
    ana.takeover(&plain, &customer.id).await.ok();
    ana.handover(&plain, &customer.id, None).await.ok();
    let refused = plain
        .post(
            &crate::helpers::client(),
            "/api/chat/rate",
            json!({ "conversation_id": customer.id, "token": customer.token, "rating": 5 }),
        )
        .await;
    assert_eq!(refused.status, 409);
}

/// `GET` the conversations' CSV of `query` with `client`'s cookies: the status, the
/// `Content-Type` and `Content-Disposition`, and the body.
async fn conversations_csv(
    app: &TestApp,
    client: &reqwest::Client,
    query: &str,
) -> (reqwest::StatusCode, String, String, String) {
    let response = client
        .get(format!(
            "{}{}?{query}",
            app.url,
            app::api::analytics::CONVERSATIONS_CSV
        ))
        .send()
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    (
        response.status(),
        content_type,
        disposition,
        response.text().await.unwrap(),
    )
}

#[tokio::test]
async fn a_supervisor_downloads_the_conversations_of_a_range_as_csv() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.set_status(&app, "online").await.ok();
    budi.set_status(&app, "online").await.ok();

    // The AI answers alone; the customer's name looks like a formula.
    let alone = app.customer("=Alone").await;
    app.customer_send(&alone, "a-1", "How do I reset my password?")
        .await
        .ok();
    app.wait_until_quiet(&alone).await;
    // A person is asked for; Budi takes over and passes it to Ana, who answers and closes;
    // the customer rates it.
    let helped = app.customer("Helped").await;
    ask_for_person(&app, &helped).await;
    budi.takeover(&app, &helped.id).await.ok();
    budi.transfer(&app, &helped.id, &ana.id, None).await.ok();
    ana.send(&app, &helped.id, "a-1", "Ana here, sorted.")
        .await
        .ok();
    ana.close(&app, &helped.id).await.ok();
    app.post(
        &crate::helpers::client(),
        "/api/chat/rate",
        json!({
            "conversation_id": helped.id, "token": helped.token,
            "rating": 4, "comment": "Quick and kind."
        }),
    )
    .await
    .ok();

    let now = now_ms();
    let (from, to) = (now - 3_600_000, now + 3_600_000);
    let query = format!("from={from}&to={to}&utc_offset_minutes=420");
    let (status, content_type, disposition, csv) =
        conversations_csv(&app, &ana.client, &query).await;

    assert_eq!(status, 200, "{csv}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let day = |at: i64| {
        use app::domain::analytics::{date_of, local_day};
        date_of(local_day(app::domain::Timestamp(at), 420))
    };
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"baton-conversations-{}-{}.csv\"",
            day(from),
            day(to - 1)
        )
    );
    let lines: Vec<Vec<&str>> = csv
        .split_terminator("\r\n")
        .map(|line| line.split(',').collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "conversation_id",
            "customer",
            "started_at",
            "closed_at",
            "handled_by",
            "time_to_human_s",
            "first_human_reply_s",
            "transfers",
            "csat",
            "csat_comment"
        ]
    );
    assert_eq!(lines.len(), 3, "{csv}");
    let (first, second) = (&lines[1], &lines[2]);
    assert_eq!(first[..2], [alone.id.as_str(), "'=Alone"], "{csv}");
    assert_eq!(first[3..], ["", "AI only", "", "", "0", "", ""], "{csv}");
    assert_eq!(second[..2], [helped.id.as_str(), "Helped"], "{csv}");
    assert_eq!(second[4], "Budi Santoso; Ana Putri", "{csv}");
    assert_eq!(second[7..], ["1", "4", "Quick and kind."], "{csv}");
    for (time, line) in [(first[2], first), (second[2], second), (second[3], second)] {
        let at = millis_of(time);
        assert!((from..to).contains(&at), "{time} in {line:?}");
    }
    for seconds in [second[5], second[6]] {
        assert!(seconds.parse::<u32>().is_ok_and(|s| s < 60), "{csv}");
    }

    // Agents may not read it, nor anyone signed out; a malformed range is refused.
    let (refused, ..) = conversations_csv(&app, &budi.client, &query).await;
    assert_eq!(refused, 403);
    let (signed_out, ..) = conversations_csv(&app, &crate::helpers::client(), &query).await;
    assert_eq!(signed_out, 401);
    for bad in [
        format!("from={now}&to={}", now - 1),
        format!("from=0&to={}", 400 * 86_400_000i64),
        "from=0&to=1&utc_offset_minutes=10000".to_owned(),
        format!("from={from}"),
        "from=yesterday&to=today".to_owned(),
    ] {
        let (status, content_type, _, body) = conversations_csv(&app, &ana.client, &bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(content_type, "application/json");
        let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
        assert!(
            matches!(error, app::error::ApiError::BadInput { .. }),
            "{bad}: {error:?}"
        );
    }
}

/// `2026-11-02T09:15:07Z` → ms since the epoch (to the second).
fn millis_of(time: &str) -> i64 {
    let (date, clock) = time.strip_suffix('Z').unwrap().split_once('T').unwrap();
    let day = app::domain::analytics::day_of(date).unwrap();
    let seconds = clock
        .split(':')
        .map(|part| part.parse::<i64>().unwrap())
        .fold(0, |total, part| total * 60 + part);
    day * 86_400_000 + seconds * 1_000
}
