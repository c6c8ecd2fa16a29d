//! The hand-off itself: takeover, handover with a brief, transfer with a note, close and
//! reopen, each with the customer told in the product's words and the rules enforced.

use std::time::Duration;

use app::domain::{Conversation, Mode};
use app::error::ApiError;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{messages_by, seqs, TestApp};

const TAKEOVER_ANA: &str =
    "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.";
const HANDOVER: &str = "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!";

#[tokio::test]
async fn a_takeover_tells_the_customer_the_exact_sentence_with_the_agents_name() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;

    let conversation = ana.takeover(&app, &customer.id).await.ok();

    assert_eq!(conversation["mode"]["kind"], "human");
    assert_eq!(conversation["owner"]["name"], "Ana Putri");
    assert_eq!(
        app.customer_sees(&customer, "system").await,
        vec![TAKEOVER_ANA]
    );
    assert_eq!(
        app.history(&customer).await["answering"]["name"],
        "Ana Putri"
    );
}

#[tokio::test]
async fn after_a_takeover_the_ai_is_silent_and_only_the_owner_can_reply() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    app.customer_send(
        &customer,
        "c1",
        "How long does delivery take within Indonesia?",
    )
    .await
    .ok();
    let reply = ana
        .send(&app, &customer.id, "a1", "Hi Sari, 2–4 working days.")
        .await
        .ok();
    let intruder = budi.send(&app, &customer.id, "b1", "Hello from Budi").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(reply["author"]["agent"]["name"], "Ana Putri");
    assert_eq!(intruder.status, StatusCode::FORBIDDEN);
    assert_eq!(
        intruder.message(),
        "Ana Putri handles this conversation: only they can do that"
    );
    assert_eq!(intruder.body["refusal"], "not_owner");
    assert!(app.customer_sees(&customer, "ai").await.is_empty());
    assert_eq!(
        app.customer_sees(&customer, "agent").await,
        vec!["Hi Sari, 2–4 working days."]
    );
}

#[tokio::test]
async fn a_second_takeover_is_409_naming_who_holds_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    let before = budi.get(&app, &customer.id).await;

    let reply = budi.takeover(&app, &customer.id).await;

    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.message(), "Already taken over by Ana Putri");
    assert_eq!(reply.body["holder"]["name"], "Ana Putri");
    assert!(reply.body["since"].as_i64().is_some());
    assert_eq!(budi.get(&app, &customer.id).await, before);
}

#[tokio::test]
async fn an_agent_cannot_reply_hand_over_or_transfer_before_taking_over_and_hears_one_reason() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let before = ana.get(&app, &customer.id).await;

    let send = ana.send(&app, &customer.id, "a1", "Hello").await;
    let handover = ana.handover(&app, &customer.id, None).await;
    let transfer = ana.transfer(&app, &customer.id, &budi.id, None).await;

    for reply in [&send, &handover, &transfer] {
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert_eq!(
            reply.message(),
            "The AI handles this conversation: take it over first"
        );
        assert_eq!(reply.body["refusal"], "ai_handles");
    }
    assert_eq!(ana.get(&app, &customer.id).await, before);
}

#[tokio::test]
async fn a_handover_tells_the_customer_and_keeps_the_brief_for_agents_only() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    let conversation = ana
        .handover(&app, &customer.id, Some("refund approved for order 1042"))
        .await
        .ok();

    assert_eq!(conversation["mode"]["kind"], "ai");
    assert_eq!(conversation["brief"], "refund approved for order 1042");
    let system = app.customer_sees(&customer, "system").await;
    assert_eq!(system.last().unwrap(), HANDOVER);
    let customer_view = app.history(&customer).await.to_string();
    assert!(
        !customer_view.contains("refund approved"),
        "{customer_view}"
    );
    let agent_view = ana.get(&app, &customer.id).await.to_string();
    assert!(agent_view.contains("refund approved for order 1042"));
}

#[tokio::test]
async fn after_a_handover_the_ai_answers_again_and_honours_the_brief() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.handover(&app, &customer.id, Some("Refund approved, arrives Friday"))
        .await
        .ok();

    app.customer_send(&customer, "c1", "When do I get my refund?")
        .await
        .ok();

    // The brief guides the AI; it is never quoted to the customer.
    let answers = app.wait_for_messages(&customer, "ai", 1).await;
    assert!(answers[0].contains("refund"), "{}", answers[0]);
    assert!(!answers[0].contains("Friday"), "{}", answers[0]);
}

#[tokio::test]
async fn only_the_owner_hands_over_and_never_from_ai_mode() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;

    let from_ai = ana.handover(&app, &customer.id, None).await;
    ana.takeover(&app, &customer.id).await.ok();
    let by_other = budi.handover(&app, &customer.id, None).await;

    assert_eq!(from_ai.status, StatusCode::CONFLICT);
    assert_eq!(by_other.status, StatusCode::FORBIDDEN);
    assert_eq!(
        by_other.message(),
        "Ana Putri handles this conversation: only they can do that"
    );
}

#[tokio::test]
async fn a_transfer_tells_the_customer_the_new_name_and_only_agents_see_the_note() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    let conversation = ana
        .transfer(
            &app,
            &customer.id,
            &budi.id,
            Some("VIP customer, wants an exchange"),
        )
        .await
        .ok();

    assert_eq!(conversation["owner"]["name"], "Budi Santoso");
    let system = app.customer_sees(&customer, "system").await;
    assert_eq!(
        system.last().unwrap(),
        "Your conversation has been transferred to Budi Santoso, who will continue to assist you."
    );
    assert!(!app.history(&customer).await.to_string().contains("VIP"));
    let budi_view = budi.get(&app, &customer.id).await;
    let transferred = budi_view["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "transferred")
        .unwrap();
    assert_eq!(transferred["note"], "VIP customer, wants an exchange");
    assert_eq!(transferred["from"]["name"], "Ana Putri");

    let ana_again = ana.send(&app, &customer.id, "a1", "still me?").await;
    assert_eq!(ana_again.status, StatusCode::FORBIDDEN);
    budi.send(&app, &customer.id, "b1", "Hi, Budi here")
        .await
        .ok();
}

#[tokio::test]
async fn transfers_to_away_offline_self_or_unknown_agents_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let citra = app.agent("citra@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    budi.set_status(&app, "away").await.ok();
    citra.set_status(&app, "offline").await.ok();
    let before = ana.get(&app, &customer.id).await;

    let to_away = ana.transfer(&app, &customer.id, &budi.id, None).await;
    let to_offline = ana.transfer(&app, &customer.id, &citra.id, None).await;
    let to_self = ana.transfer(&app, &customer.id, &ana.id, None).await;
    let to_nobody = ana
        .transfer(
            &app,
            &customer.id,
            "01900000-0000-7000-8000-000000000000",
            None,
        )
        .await;

    assert_eq!(to_away.status, StatusCode::CONFLICT);
    assert_eq!(
        to_away.message(),
        "Budi Santoso is away and cannot receive transfers"
    );
    assert_eq!(to_offline.status, StatusCode::CONFLICT);
    assert_eq!(
        to_offline.message(),
        "Citra Dewi is offline and cannot receive transfers"
    );
    assert_eq!(to_self.status, StatusCode::BAD_REQUEST);
    assert_eq!(to_nobody.status, StatusCode::NOT_FOUND);
    assert_eq!(ana.get(&app, &customer.id).await, before);
}

#[tokio::test]
async fn a_closed_conversation_refuses_messages_until_reopened() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.close(&app, &customer.id).await.ok();

    let customer_send = app.customer_send(&customer, "c1", "hello?").await;
    let agent_send = ana.send(&app, &customer.id, "a1", "hello?").await;
    let takeover = ana.takeover(&app, &customer.id).await;

    assert_eq!(customer_send.status, StatusCode::CONFLICT);
    assert_eq!(agent_send.status, StatusCode::CONFLICT);
    assert_eq!(takeover.status, StatusCode::CONFLICT);
    assert_eq!(app.history(&customer).await["answering"]["kind"], "closed");

    let reopened = ana
        .call(
            &app,
            "/api/conversations/reopen",
            json!({ "conversation_id": customer.id }),
        )
        .await
        .ok();
    assert_eq!(reopened["mode"]["kind"], "ai");
    // The customer is told; the list card never previews Baton's own notices.
    let reopening = "This conversation has been reopened. Our AI assistant is here to help, and you can ask for a person at any time.";
    assert!(reopened["preview"].is_null(), "{}", reopened["preview"]);
    let notices = messages_by(&app.history(&customer).await["events"], "system");
    assert_eq!(notices.last().map(String::as_str), Some(reopening));
    app.customer_send(&customer, "c2", "hello again").await.ok();
    let seen = ana.get(&app, &customer.id).await;
    assert_eq!(seen["conversation"]["preview"], "hello again");
    ana.takeover(&app, &customer.id).await.ok();
    ana.send(&app, &customer.id, "a2", "Hi Sari!").await.ok();
    let seen = ana.get(&app, &customer.id).await;
    assert_eq!(
        seen["conversation"]["preview"], "hello again",
        "the customer's last words"
    );
}

#[tokio::test]
async fn an_unknown_conversation_or_bad_id_is_refused() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;

    let unknown = ana
        .takeover(&app, "01900000-0000-7000-8000-000000000000")
        .await;
    let malformed = ana.takeover(&app, "not-an-id").await;

    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.message(),
        "`not-an-id` is not a valid conversation id"
    );
}

#[tokio::test]
async fn a_full_round_trip_keeps_a_gap_free_log() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;

    app.customer_send(&customer, "c1", "My parcel arrived broken")
        .await
        .ok();
    app.wait_for_messages(&customer, "ai", 1).await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.send(&app, &customer.id, "a1", "I'm sorry! Let me help.")
        .await
        .ok();
    app.customer_send(&customer, "c2", "Thanks").await.ok();
    ana.transfer(&app, &customer.id, &budi.id, Some("needs a replacement"))
        .await
        .ok();
    budi.send(&app, &customer.id, "b1", "Replacement is on its way.")
        .await
        .ok();
    budi.handover(&app, &customer.id, None).await.ok();

    let detail = budi.get(&app, &customer.id).await;
    let all = seqs(&detail["events"]);
    assert_eq!(all, (1..=all.len() as u64).collect::<Vec<_>>());
    assert_eq!(detail["conversation"]["last_seq"], all.len() as u64);
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| *t != "message")
        .collect();
    assert_eq!(
        kinds,
        vec!["started", "taken_over", "transferred", "handed_over"]
    );
    let system = messages_by(&detail["events"], "system");
    assert_eq!(system.first().unwrap(), TAKEOVER_ANA);
    assert_eq!(system.last().unwrap(), HANDOVER);
}

#[tokio::test]
async fn the_list_filters_by_who_handles_each_conversation() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    let mine = app.customer("Mine").await;
    let theirs = app.customer("Theirs").await;
    let _ai = app.customer("Ai").await;
    ana.takeover(&app, &mine.id).await.ok();
    budi.takeover(&app, &theirs.id).await.ok();

    let count = |filter: &'static str| {
        let ana = &ana;
        let app = &app;
        async move {
            app.post(
                &ana.client,
                "/api/conversations/list",
                json!({ "filter": filter }),
            )
            .await
            .ok()["conversations"]
                .as_array()
                .unwrap()
                .len()
        }
    };

    assert_eq!(count("all").await, 3);
    assert_eq!(count("ai").await, 1);
    assert_eq!(count("mine").await, 1);
    assert_eq!(count("others").await, 1);
    assert_eq!(count("closed").await, 0);
}

#[tokio::test]
async fn any_agent_closes_an_ai_handled_conversation_but_only_the_owner_a_human_handled_one() {
    let app = TestApp::spawn().await;
    let handled_by_ai = app.customer("Sari").await;
    let handled_by_ana = app.customer("Dewi").await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &handled_by_ana.id).await.ok();
    let before = budi.get(&app, &handled_by_ana.id).await;

    let closed = budi.close(&app, &handled_by_ai.id).await.ok();
    let refused = budi.close(&app, &handled_by_ana.id).await;

    let closed: Conversation = serde_json::from_value(closed).unwrap();
    assert_eq!(closed.mode, Mode::Closed);
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused: ApiError = serde_json::from_value(refused.body).unwrap();
    assert_eq!(
        refused,
        ApiError::Forbidden {
            message: "Ana Putri handles this conversation: only they can do that".into(),
            refusal: Some("not_owner".into()),
        }
    );
    assert_eq!(budi.get(&app, &handled_by_ana.id).await, before);
}
