//! The sockets: live delivery, resume by seq without gaps or repeats, typing, presence,
//! and refused handshakes.

use std::time::Duration;

use app::live::{ClientFrame, ServerFrame, Typist};
use futures::future::join_all;

use crate::helpers::TestApp;

const TAKEOVER_ANA: &str =
    "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.";

#[tokio::test]
async fn an_agent_socket_receives_a_customer_message() {
    let app = TestApp::spawn().await;
    let mut socket = app.agent_socket("ana@baton.dev").await;
    let customer = app.customer("Sari").await;

    app.customer_send(&customer, "c1", "Is anyone there?")
        .await
        .ok();

    let body = socket
        .wait_for(|frame| match frame {
            ServerFrame::Events {
                events,
                conversation,
                ..
            } => events.iter().find_map(|e| {
                e.message()
                    .filter(|m| m.author == app::domain::Author::Customer)
                    .map(|m| (m.body.to_string(), conversation.clone()))
            }),
            _ => None,
        })
        .await;
    assert_eq!(body.0, "Is anyone there?");
    assert_eq!(body.1.unwrap().customer_name, "Sari");
}

#[tokio::test]
async fn a_customer_receives_the_takeover_sentence_pushed() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let mut socket = app.customer_socket(&customer, None).await;
    let ana = app.agent("ana@baton.dev").await;

    ana.takeover(&app, &customer.id).await.ok();

    let (text, answering) = socket
        .wait_for(|frame| match frame {
            ServerFrame::Events {
                events, answering, ..
            } => events
                .iter()
                .find_map(|e| e.message().map(|m| m.body.to_string()))
                .map(|text| (text, answering.clone())),
            _ => None,
        })
        .await;
    assert_eq!(text, TAKEOVER_ANA);
    assert_eq!(
        answering,
        Some(app::domain::Answering::Agent {
            name: "Ana Putri".into()
        })
    );
}

#[tokio::test]
async fn a_customer_never_receives_internal_notes() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let mut socket = app.customer_socket(&customer, None).await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();

    ana.transfer(&app, &customer.id, &budi.id, Some("secret: VIP refund"))
        .await
        .ok();

    let mut everything = String::new();
    while let Some(frame) = socket.next_within(Duration::from_millis(500)).await {
        everything.push_str(&serde_json::to_string(&frame).unwrap());
    }
    assert!(
        everything.contains("transferred to Budi Santoso"),
        "{everything}"
    );
    assert!(!everything.contains("secret"), "{everything}");
}

#[tokio::test]
async fn a_customer_who_drops_after_seq_n_and_resumes_gets_exactly_what_they_missed() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    let n = ana.get(&app, &customer.id).await["conversation"]["last_seq"]
        .as_u64()
        .unwrap();
    let first = app.customer_socket(&customer, Some(0)).await;
    drop(first);

    for i in 0..5 {
        ana.send(&app, &customer.id, &format!("a{i}"), &format!("update {i}"))
            .await
            .ok();
    }
    let m = n + 5;
    let mut resumed = app.customer_socket(&customer, Some(n)).await;

    let seen = resumed.seqs_until(m).await;
    assert_eq!(seen, ((n + 1)..=m).collect::<Vec<_>>());
    assert!(
        resumed
            .next_within(Duration::from_millis(300))
            .await
            .is_none(),
        "no duplicates"
    );
}

#[tokio::test]
async fn a_resume_frame_replays_from_the_given_seq() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    // Questions the AI answers: two misses in a row would bring in a person, whose notices
    // could still be arriving live when the resume is served.
    app.customer_send(&customer, "c1", "How do I reset my password?")
        .await
        .ok();
    // (Each answered on its own: lines sent together get one answer.)
    app.wait_for_messages(&customer, "ai", 1).await;
    app.customer_send(&customer, "c2", "How long does delivery take?")
        .await
        .ok();
    // Let the AI finish answering, so nothing is pushed live before the resume is served.
    app.wait_for_messages(&customer, "ai", 2).await;
    let mut socket = app.customer_socket(&customer, None).await;

    socket.send(&ClientFrame::Resume { after_seq: 1 }).await;

    let seen = socket.seqs_until(3).await;
    assert_eq!(seen[..2], [2, 3]);
}

#[tokio::test]
async fn an_agent_watching_a_conversation_resumes_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    for i in 0..3 {
        app.customer_send(&customer, &format!("c{i}"), &format!("hi {i}"))
            .await
            .ok();
    }
    // Let the AI finish answering, so nothing is pushed live before the watch is served.
    app.wait_until_quiet(&customer).await;
    let mut socket = app.agent_socket("ana@baton.dev").await;
    let conversation_id = app::domain::ConversationId::parse(&customer.id).unwrap();

    socket
        .send(&ClientFrame::Watch {
            conversation_id,
            after_seq: 1,
        })
        .await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    let last = ana.get(&app, &customer.id).await["conversation"]["last_seq"]
        .as_u64()
        .unwrap();

    let mut seen = socket.seqs_until(last).await;
    let before = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), before, "no event twice");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order: {seen:?}");
    assert_eq!(*seen.first().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_sockets_on_one_conversation_all_receive_every_event_in_order() {
    // Far above what one customer opens: the cap per conversation is raised for the load.
    let app = TestApp::spawn_with(|c| c.max_sockets_per_conversation = 0).await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    ana.takeover(&app, &customer.id).await.ok();
    let start = ana.get(&app, &customer.id).await["conversation"]["last_seq"]
        .as_u64()
        .unwrap();
    let mut sockets = join_all((0..200).map(|_| app.customer_socket(&customer, Some(start)))).await;

    for i in 0..20 {
        ana.send(
            &app,
            &customer.id,
            &format!("a{i}"),
            &format!("message {i}"),
        )
        .await
        .ok();
    }
    let last = start + 20;

    let all = join_all(sockets.iter_mut().map(|s| s.seqs_until(last))).await;
    let expected: Vec<u64> = ((start + 1)..=last).collect();
    for (i, seen) in all.iter().enumerate() {
        assert_eq!(seen, &expected, "socket {i}");
    }
}

#[tokio::test]
async fn typing_crosses_from_customer_to_agent() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let mut agent = app.agent_socket("ana@baton.dev").await;
    let mut socket = app.customer_socket(&customer, None).await;

    socket
        .send(&ClientFrame::Typing {
            conversation_id: None,
        })
        .await;

    let from = agent
        .wait_for(|frame| match frame {
            ServerFrame::Typing { from, .. } => Some(from.clone()),
            _ => None,
        })
        .await;
    assert_eq!(from, Typist::Customer);
}

#[tokio::test]
async fn an_agent_connecting_is_announced_to_other_dashboards() {
    let app = TestApp::spawn().await;
    let mut ana = app.agent_socket("ana@baton.dev").await;
    // The socket is live once it hears its own arrival.
    ana.wait_for(|frame| {
        matches!(frame, ServerFrame::Presence { name, .. } if name == "Ana Putri").then_some(())
    })
    .await;

    let _budi = app.agent_socket("budi@baton.dev").await;

    let (name, connected) = ana
        .wait_for(|frame| match frame {
            ServerFrame::Presence {
                name, connected, ..
            } if name == "Budi Santoso" => Some((name.clone(), *connected)),
            _ => None,
        })
        .await;
    assert_eq!(name, "Budi Santoso");
    assert!(connected);
    let agents = app
        .post(
            &app.agent("ana@baton.dev").await.client,
            "/api/agents/list",
            serde_json::json!({}),
        )
        .await
        .ok();
    let budi = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == "budi@baton.dev")
        .unwrap();
    assert_eq!(budi["connected"], true);
}

#[tokio::test]
async fn sockets_refuse_wrong_tokens_missing_sessions_and_other_origins() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let cookie = app.session_cookie("ana@baton.dev").await;

    let wrong_token = app
        .try_customer_socket(&customer.id, &"0".repeat(64), None)
        .await;
    let token_in_the_url = app
        .try_socket(
            &format!(
                "/ws/chat?conversation_id={}&token={}",
                customer.id, customer.token
            ),
            &[],
        )
        .await;
    let no_session = app.try_socket("/ws", &[]).await;
    let other_origin = app
        .try_socket(
            "/ws",
            &[("cookie", &cookie), ("origin", "https://evil.example")],
        )
        .await;

    assert_eq!(wrong_token.err(), Some(401));
    assert_eq!(
        token_in_the_url.err(),
        Some(401),
        "a token in the URL (which proxies log) is not accepted"
    );
    assert_eq!(no_session.err(), Some(401));
    assert_eq!(other_origin.err(), Some(403));
}
