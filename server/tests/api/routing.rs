//! Routing: the queue pushed to waiting customers, the estimate, the reply timer, owner
//! rescue, business hours, the e-mail left while nobody is online, auto-assignment and its
//! race with a manual Take Over. Timers run on a clock the test moves; nothing sleeps for
//! minutes.

use std::collections::HashMap;
use std::time::Duration;

use app::domain::QueueStatus;
use app::live::ServerFrame;
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::routing::Assignment;

use crate::helpers::{client, messages_by, Customer, Socket, TestApp, PASSWORD};

/// The customer asks for a person.
pub(crate) async fn ask_for_person(app: &TestApp, customer: &Customer) {
    app.post(
        &client(),
        "/api/chat/request_human",
        json!({ "conversation_id": customer.id, "token": customer.token }),
    )
    .await
    .ok();
}

/// The next queue status the customer's socket is told.
async fn next_status(socket: &mut Socket) -> QueueStatus {
    socket
        .wait_for(|frame| match frame {
            ServerFrame::Queue { status } => Some(status.clone()),
            _ => None,
        })
        .await
}

/// Reads queue statuses until `wanted` arrives (a status may be skipped when the queue
/// moves twice before the board recomputes).
async fn status_becomes(socket: &mut Socket, wanted: QueueStatus) {
    let mut seen = Vec::new();
    while seen.last() != Some(&wanted) {
        let status = tokio::time::timeout(Duration::from_secs(5), next_status(socket))
            .await
            .unwrap_or_else(|_| panic!("never told {wanted:?}; told {seen:?}"));
        seen.push(status);
    }
}

/// Every event of a conversation, as an agent sees it.
async fn events(app: &TestApp, agent: &crate::helpers::AgentClient, id: &str) -> Vec<Value> {
    agent.get(app, id).await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The conversation's mode tag, as an agent sees it.
async fn mode_of(
    app: &TestApp,
    agent: &crate::helpers::AgentClient,
    customer: &Customer,
) -> String {
    agent.get(app, &customer.id).await["conversation"]["mode"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn count_of(events: &[Value], kind: &str) -> usize {
    events.iter().filter(|e| e["type"] == kind).count()
}

#[tokio::test]
async fn a_waiting_customer_moves_up_the_line_live_and_hears_the_takeover() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let _dashboard = app.agent_socket("ana@baton.dev").await;
    let first = app.customer("First").await;
    let second = app.customer("Second").await;
    ask_for_person(&app, &first).await;
    ask_for_person(&app, &second).await;

    let mut socket = app.customer_socket(&second, Some(0)).await;
    // Too little history for an estimate: the line says so instead of inventing one.
    let told = next_status(&mut socket).await;
    assert_eq!(
        told,
        QueueStatus::Queued {
            position: 2,
            minutes: None
        }
    );
    assert!(told
        .line(app::domain::Locale::en)
        .unwrap()
        .starts_with("You are number 2 in line"));

    ana.takeover(&app, &first.id).await.ok();
    status_becomes(
        &mut socket,
        QueueStatus::Queued {
            position: 1,
            minutes: None,
        },
    )
    .await;
    ana.takeover(&app, &second.id).await.ok();
    status_becomes(&mut socket, QueueStatus::NotWaiting).await;
    let takeover = "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.";
    assert!(app
        .customer_sees(&second, "system")
        .await
        .contains(&takeover.to_owned()));
}

#[tokio::test]
async fn with_enough_history_the_estimate_is_rounds_of_the_median_wait() {
    let (app, clock) = TestApp::spawn_clocked(|_| {}).await;
    let ana = app.agent("ana@baton.dev").await;
    let _dashboard = app.agent_socket("ana@baton.dev").await;
    // Five waits of 90 s each, each ended by Ana's takeover.
    for n in 0..5 {
        let customer = app.customer(&format!("Past {n}")).await;
        ask_for_person(&app, &customer).await;
        clock.advance(Duration::from_secs(90));
        ana.takeover(&app, &customer.id).await.ok();
        ana.close(&app, &customer.id).await.ok();
    }
    let waiting = app.customer("Now").await;
    ask_for_person(&app, &waiting).await;
    let mut socket = app.customer_socket(&waiting, Some(0)).await;
    // First in line, Ana has 5 free slots: one round of the 90 s median = 2 min.
    assert_eq!(
        next_status(&mut socket).await,
        QueueStatus::Queued {
            position: 1,
            minutes: Some(2)
        }
    );
}

#[tokio::test]
async fn with_nobody_online_the_customer_is_told_and_leaves_an_email_agents_see() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Maya").await;
    ask_for_person(&app, &customer).await;
    let notices = app.customer_sees(&customer, "system").await;
    assert!(
        notices
            .iter()
            .any(|n| n.starts_with("Our team is offline right now.")),
        "{notices:?}"
    );
    let mut socket = app.customer_socket(&customer, Some(0)).await;
    assert_eq!(
        next_status(&mut socket).await,
        QueueStatus::Offline { back: None }
    );

    // A malformed address: 400, and nothing stored.
    let before = app.history(&customer).await["last_seq"].clone();
    let bad = app
        .post(
            &client(),
            "/api/chat/contact",
            json!({ "conversation_id": customer.id, "token": customer.token, "email": "maya at home" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
    assert_eq!(app.history(&customer).await["last_seq"], before);

    app.post(
        &client(),
        "/api/chat/contact",
        json!({ "conversation_id": customer.id, "token": customer.token, "email": "maya@example.com" }),
    )
    .await
    .ok();
    let admin = app.agent("admin@baton.dev").await;
    let seen = admin.get(&app, &customer.id).await;
    assert_eq!(seen["conversation"]["contact_email"], "maya@example.com");
    let events = seen["events"].as_array().unwrap();
    assert_eq!(count_of(events, "contact_left"), 1);
    let audit = admin
        .call(
            &app,
            "/api/admin/audit",
            json!({ "conversation_id": customer.id }),
        )
        .await
        .ok();
    assert!(audit.to_string().contains("contact_left"), "{audit}");
}

#[tokio::test]
async fn outside_business_hours_the_customer_is_told_when_the_team_is_back() {
    let (app, clock) = TestApp::spawn_clocked(|config| {
        config.business_hours = Some(
            server::routing::BusinessHours::parse("Mon-Fri 08:00-17:00 Asia/Jakarta").unwrap(),
        );
    })
    .await;
    // Friday 2026-11-27, 17:00 WIB: just closed.
    clock.set(1_795_773_600_000);
    let _ana = app.agent("ana@baton.dev").await;
    let _dashboard = app.agent_socket("ana@baton.dev").await;
    let customer = app.customer("Maya").await;
    ask_for_person(&app, &customer).await;
    let notices = app.customer_sees(&customer, "system").await;
    assert!(
        notices.iter().any(
            |n| n.starts_with("Our team is offline right now. We're back Monday at 08:00 WIB.")
        ),
        "{notices:?}"
    );
    // One minute before closing, the same request is promised a person.
    clock.set(1_795_773_600_000 - 60_000);
    let early = app.customer("Early").await;
    ask_for_person(&app, &early).await;
    assert!(app
        .customer_sees(&early, "system")
        .await
        .iter()
        .any(|n| n.contains("will join this conversation shortly")));
}

#[tokio::test]
async fn a_silent_owner_loses_the_conversation_to_the_queue_after_the_reply_timeout() {
    let (app, clock) = TestApp::spawn_clocked(|config| config.reply_timeout_secs = 300).await;
    let ana = app.agent("ana@baton.dev").await;
    let _dashboard = app.agent_socket("ana@baton.dev").await;
    let customer = app.customer("Maya").await;
    ask_for_person(&app, &customer).await;
    ana.takeover(&app, &customer.id).await.ok();

    clock.advance(Duration::from_secs(299));
    app.server.router.tick().await;
    assert_eq!(mode_of(&app, &ana, &customer).await, "human");
    // Ana answers in time; the customer writes again, and the timer starts over.
    ana.send(&app, &customer.id, "a1", "Let me check that for you.")
        .await
        .ok();
    clock.advance(Duration::from_secs(200));
    app.customer_send(&customer, "c1", "Thanks, any news?")
        .await
        .ok();
    clock.advance(Duration::from_secs(299));
    app.server.router.tick().await;
    assert_eq!(mode_of(&app, &ana, &customer).await, "human");
    clock.advance(Duration::from_secs(2));
    app.server.router.tick().await;

    let seen = ana.get(&app, &customer.id).await;
    assert_eq!(seen["conversation"]["mode"]["kind"], "ai");
    assert_eq!(seen["conversation"]["waiting"]["reason"], "no_reply");
    let events = seen["events"].as_array().unwrap();
    assert_eq!(count_of(events, "requeued"), 1);
    let history = app.history(&customer).await;
    assert!(messages_by(&history["events"], "system").contains(
        &"Sorry for the wait. We're connecting you with the next available agent.".to_owned()
    ));
    assert_eq!(history["answering"]["waiting_for_human"], true);
}

#[tokio::test]
async fn an_owner_offline_past_the_grace_loses_their_conversations() {
    let (app, clock) = TestApp::spawn_clocked(|config| {
        config.reply_timeout_secs = 0;
        config.owner_grace_secs = 120;
    })
    .await;
    let ana = app.agent("ana@baton.dev").await;
    let dashboard = app.agent_socket("ana@baton.dev").await;
    let customer = app.customer("Maya").await;
    ana.takeover(&app, &customer.id).await.ok();
    app.server.router.tick().await;
    assert_eq!(mode_of(&app, &ana, &customer).await, "human");

    // Ana closes the laptop.
    drop(dashboard);
    let id = app::domain::AgentId::parse(&ana.id).unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while app::backend::Presence::connections(app.server.hub.as_ref(), id) > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the socket closes");
    app.server.router.tick().await;
    clock.advance(Duration::from_secs(119));
    app.server.router.tick().await;
    assert_eq!(mode_of(&app, &ana, &customer).await, "human");
    clock.advance(Duration::from_secs(2));
    app.server.router.tick().await;
    assert_eq!(mode_of(&app, &ana, &customer).await, "ai");
    let seen = ana.get(&app, &customer.id).await;
    assert_eq!(seen["conversation"]["waiting"]["reason"], "owner_offline");
}

/// Creates `n` agents (online, `max_chats` each) through the admin API; their e-mails.
pub(crate) async fn team(app: &TestApp, n: usize, max_chats: u32) -> Vec<String> {
    let admin = app.agent("admin@baton.dev").await;
    let mut emails = Vec::new();
    for i in 0..n {
        let email = format!("agent{i}@team.test");
        admin
            .call(
                app,
                "/api/admin/agents/create",
                json!({ "email": email, "display_name": format!("Agent {i}"), "role": "agent",
                        "password": PASSWORD, "max_chats": max_chats }),
            )
            .await
            .ok();
        emails.push(email);
    }
    emails
}

#[tokio::test]
async fn auto_assignment_gives_fifty_waiting_to_five_agents_within_capacity_once_each() {
    let app = TestApp::spawn_with(|config| {
        config.assignment = Assignment::Auto;
        config.limit_start_per_address = 1_000;
    })
    .await;
    let emails = team(&app, 5, 5).await;
    let mut agents = Vec::new();
    let mut sockets = Vec::new();
    for email in &emails {
        let agent = app.agent(email).await;
        agent.set_status(&app, "online").await.ok();
        sockets.push(app.agent_socket(email).await);
        agents.push(agent);
    }
    let mut customers = Vec::new();
    for n in 0..50 {
        let customer = app.customer(&format!("Customer {n}")).await;
        ask_for_person(&app, &customer).await;
        customers.push(customer);
    }
    // 25 slots: the 25 longest-waiting are assigned, five per agent.
    let owners = wait_for_assigned(&app, &agents[0], &customers, 25).await;
    let mut load: HashMap<String, usize> = HashMap::new();
    for owner in owners.values() {
        *load.entry(owner.clone()).or_default() += 1;
    }
    assert_eq!(load.len(), 5, "{load:?}");
    assert!(load.values().all(|n| *n == 5), "{load:?}");
    assert!(
        customers[..25].iter().all(|c| owners.contains_key(&c.id)),
        "oldest first"
    );

    // Each agent closes one: five more are pulled from the head of the queue.
    for agent in &agents {
        let mine = owners
            .iter()
            .find(|(_, owner)| **owner == agent.id)
            .map(|(id, _)| id.clone())
            .unwrap();
        agent.close(&app, &mine).await.ok();
    }
    let owners = wait_for_assigned(&app, &agents[0], &customers, 30).await;
    assert!(customers[25..30].iter().all(|c| owners.contains_key(&c.id)));
    for customer in &customers {
        let events = events(&app, &agents[0], &customer.id).await;
        assert!(count_of(&events, "assigned") <= 1, "assigned twice");
    }
}

/// Waits until `n` of the customers' conversations have been assigned; conversation → owner.
pub(crate) async fn wait_for_assigned(
    app: &TestApp,
    viewer: &crate::helpers::AgentClient,
    customers: &[Customer],
    n: usize,
) -> HashMap<String, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut owners = HashMap::new();
        for customer in customers {
            let events = events(app, viewer, &customer.id).await;
            if let Some(assigned) = events.iter().find(|e| e["type"] == "assigned") {
                owners.insert(
                    customer.id.clone(),
                    assigned["agent"]["id"].as_str().unwrap().to_owned(),
                );
            }
        }
        if owners.len() >= n {
            assert_eq!(owners.len(), n, "more assigned than there was room for");
            return owners;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {n} assigned",
            owners.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_manual_takeover_racing_the_assigner_has_exactly_one_winner() {
    let app = TestApp::spawn_with(|config| config.assignment = Assignment::Auto).await;
    let budi = app.agent("budi@baton.dev").await;
    let _ana_dashboard = app.agent_socket("ana@baton.dev").await;
    for n in 0..10 {
        let customer = app.customer(&format!("Race {n}")).await;
        let (_, takeover) = tokio::join!(ask_for_person(&app, &customer), async {
            budi.takeover(&app, &customer.id).await
        });
        // Whoever won, the log has exactly one change of hands.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let events = events(&app, &budi, &customer.id).await;
        let hands = count_of(&events, "taken_over") + count_of(&events, "assigned");
        assert_eq!(hands, 1, "{events:?}");
        if takeover.status == StatusCode::OK {
            assert_eq!(count_of(&events, "taken_over"), 1);
        }
    }
}

#[tokio::test]
async fn stepping_away_keeps_or_releases_ones_conversations_as_asked() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let _dashboard = app.agent_socket("ana@baton.dev").await;
    let kept = app.customer("Kept").await;
    ana.takeover(&app, &kept.id).await.ok();
    ana.call(
        &app,
        "/api/agents/availability",
        json!({ "status": "away", "release": false }),
    )
    .await
    .ok();
    assert_eq!(mode_of(&app, &ana, &kept).await, "human");

    ana.call(
        &app,
        "/api/agents/availability",
        json!({ "status": "online" }),
    )
    .await
    .ok();
    let released = app.customer("Released").await;
    ana.takeover(&app, &released.id).await.ok();
    ana.call(
        &app,
        "/api/agents/availability",
        json!({ "status": "away", "release": true }),
    )
    .await
    .ok();
    for customer in [&kept, &released] {
        let seen = ana.get(&app, &customer.id).await;
        assert_eq!(seen["conversation"]["mode"]["kind"], "ai");
        assert_eq!(seen["conversation"]["waiting"]["reason"], "owner_away");
        assert!(
            messages_by(&app.history(customer).await["events"], "system").contains(
                &"Sorry for the wait. We're connecting you with the next available agent."
                    .to_owned()
            )
        );
    }
}

/// The conversation as the next frame carrying a message by `author` reports it.
async fn reported(dashboard: &mut Socket, author: &'static str) -> app::domain::Conversation {
    dashboard
        .wait_for(move |frame| match frame {
            ServerFrame::Events {
                events,
                conversation: Some(conversation),
                ..
            } if events.iter().any(|e| {
                e.message()
                    .is_some_and(|m| serde_json::to_value(&m.author).unwrap()["kind"] == author)
            }) =>
            {
                Some((**conversation).clone())
            }
            _ => None,
        })
        .await
}

#[tokio::test]
async fn the_dashboard_hears_live_who_owes_an_answer_and_the_customers_last_words() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let mut dashboard = app.agent_socket("ana@baton.dev").await;
    let customer = app.customer("Maya").await;
    ana.takeover(&app, &customer.id).await.ok();
    ana.send(&app, &customer.id, "a1", "Hello Maya").await.ok();
    let after_agent = reported(&mut dashboard, "agent").await;
    assert_eq!(after_agent.reply_due_since, None);
    app.customer_send(&customer, "c1", "Where is my parcel?")
        .await
        .ok();
    let after_customer = reported(&mut dashboard, "customer").await;
    assert!(
        after_customer.reply_due_since.is_some(),
        "the owner owes an answer"
    );
    assert_eq!(
        after_customer.preview.as_deref(),
        Some("Where is my parcel?")
    );
    ana.send(&app, &customer.id, "a2", "On its way!").await.ok();
    let answered = reported(&mut dashboard, "agent").await;
    assert_eq!(answered.reply_due_since, None);
    assert_eq!(answered.preview.as_deref(), Some("Where is my parcel?"));
    // The stored row says the same.
    let stored = ana.get(&app, &customer.id).await;
    assert!(stored["conversation"]["reply_due_since"].is_null());
    assert_eq!(stored["conversation"]["preview"], "Where is my parcel?");
}
