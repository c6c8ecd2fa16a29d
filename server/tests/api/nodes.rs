//! Several nodes on one PostgreSQL. They need `BATON_TEST_POSTGRES`; without it each test
//! reports itself `SKIPPED` on the terminal (the harness still counts it as passed: a test
//! cannot mark itself skipped at run time), and with `BATON_REQUIRE_POSTGRES=1` it fails.
//! `cargo xtask test` runs them in its PostgreSQL stage and leaves them out of the other.

use std::io::Write;
use std::time::Duration;

use app::live::ServerFrame;
use futures::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{fresh_postgres_schema, postgres_base, TestApp};

/// Two nodes on one fresh schema, or None when PostgreSQL is not configured, after saying
/// so where it cannot be missed.
async fn two_nodes() -> Option<(TestApp, TestApp)> {
    two_nodes_with(|_| {}).await
}

/// [`two_nodes`], each configured by `adjust`.
pub(crate) async fn two_nodes_with(
    adjust: impl Fn(&mut server::config::Config),
) -> Option<(TestApp, TestApp)> {
    let Some(base) = postgres_base() else {
        skipped_without_postgres();
        return None;
    };
    let url = fresh_postgres_schema(&base).await;
    let first = TestApp::spawn_on(url.clone(), &adjust).await;
    let second = TestApp::spawn_on(url, &adjust).await;
    Some((first, second))
}

/// Fails under `BATON_REQUIRE_POSTGRES=1`; otherwise writes `SKIPPED <test>` straight to the
/// terminal, past the harness's capture of `println!`, so a skipped test is never read as
/// a pass.
fn skipped_without_postgres() {
    let test = std::thread::current()
        .name()
        .unwrap_or("a two-node test")
        .to_owned();
    if std::env::var("BATON_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("{test}: BATON_REQUIRE_POSTGRES=1 but BATON_TEST_POSTGRES is not set");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED {test}: needs PostgreSQL (set BATON_TEST_POSTGRES; \
         BATON_REQUIRE_POSTGRES=1 makes this a failure)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_on_node_one_and_an_agent_on_node_two_see_each_other_live() {
    let Some((one, two)) = two_nodes().await else {
        return;
    };
    let mut agent_socket = two.agent_socket("ana@baton.dev").await;
    let customer = one.customer("Sari").await;
    let mut customer_socket = one.customer_socket(&customer, None).await;

    one.customer_send(&customer, "c1", "Hello from node one")
        .await
        .ok();
    let seen = agent_socket
        .wait_for(|frame| match frame {
            ServerFrame::Events { events, .. } => events
                .iter()
                .find_map(|e| e.message().map(|m| m.body.to_string()))
                .filter(|body| body == "Hello from node one"),
            _ => None,
        })
        .await;
    assert_eq!(seen, "Hello from node one");

    let ana = two.agent("ana@baton.dev").await;
    ana.takeover(&two, &customer.id).await.ok();
    let notice = customer_socket
        .wait_for(|frame| match frame {
            ServerFrame::Events { events, .. } => events.iter().find_map(|e| {
                e.message()
                    .filter(|m| m.author == app::domain::Author::System)
                    .map(|m| m.body.to_string())
            }),
            _ => None,
        })
        .await;
    assert_eq!(
        notice,
        "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_takeovers_split_across_two_nodes_have_exactly_one_winner() {
    let Some((one, two)) = two_nodes().await else {
        return;
    };
    let customer = one.customer("Sari").await;
    let hash = app::backend::auth::hash_password(crate::helpers::PASSWORD).unwrap();
    for i in 0..50 {
        one.create_agent(
            &format!("Racer {i:02}"),
            &format!("racer{i}@baton.dev"),
            &hash,
        )
        .await;
    }
    let agents = join_all((0..50).map(|i| {
        let node = if i % 2 == 0 { &one } else { &two };
        async move { (node, node.agent(&format!("racer{i}@baton.dev")).await) }
    }))
    .await;

    let replies = join_all(
        agents
            .iter()
            .map(|(node, a)| a.takeover(node, &customer.id)),
    )
    .await;

    let winners = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!((winners, conflicts), (1, 49));
    let detail = agents[0].1.get(&one, &customer.id).await;
    assert_eq!(detail["conversation"]["version"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_committed_while_the_listener_reconnects_still_reaches_node_two() {
    let Some((one, two)) = two_nodes().await else {
        return;
    };
    let customer = one.customer("Sari").await;
    let mut agent_socket = two.agent_socket("ana@baton.dev").await;
    let listener = two.server.listener_name.clone().expect("node two listens");

    let base = postgres_base().unwrap();
    let mut admin = {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&base).await.unwrap()
    };
    let killed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1) AS t",
    )
    .bind(&listener)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(killed, 1, "node two's listener connection was cut");
    one.customer_send(&customer, "c1", "Sent during the reconnect")
        .await
        .ok();

    let seen = agent_socket
        .wait_for(|frame| match frame {
            ServerFrame::Events { events, .. } => events
                .iter()
                .find_map(|e| e.message().map(|m| m.body.to_string()))
                .filter(|body| body == "Sent during the reconnect"),
            _ => None,
        })
        .await;
    assert_eq!(seen, "Sent during the reconnect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agent_connected_to_node_two_can_receive_a_transfer_started_on_node_one() {
    let Some((one, two)) = two_nodes().await else {
        return;
    };
    let _budi_socket = two.agent_socket("budi@baton.dev").await;
    let budi = two.agent("budi@baton.dev").await;
    let ana = one.agent("ana@baton.dev").await;
    let customer = one.customer("Sari").await;
    ana.takeover(&one, &customer.id).await.ok();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let reply = ana
        .transfer(&one, &customer.id, &budi.id, Some("over to you"))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["owner"]["name"], "Budi Santoso");
}

/// Terminates every connection of `app`'s pool (its `application_name`) from outside.
async fn cut_connections(app: &TestApp) -> u64 {
    use sqlx::Connection;
    let base = postgres_base().expect("PostgreSQL");
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    let name = app.server.pool_name.clone().expect("a PostgreSQL node");
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(name)
    .fetch_all(&mut admin)
    .await
    .unwrap()
    .len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_database_connections_fail_fast_with_503_and_the_pool_recovers_by_itself() {
    let Some(base) = postgres_base() else {
        skipped_without_postgres();
        return;
    };
    let app = TestApp::spawn_on(fresh_postgres_schema(&base).await, |_| {}).await;
    let customer = app.customer("Sari").await;
    let started = std::time::Instant::now();

    // Sends run while every pooled connection is cut, three times over.
    let cutting = async {
        let mut cut = 0;
        for _ in 0..3 {
            cut += cut_connections(&app).await;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        cut
    };
    let sending = async {
        let mut outcomes = Vec::new();
        for i in 0..30 {
            let asked = std::time::Instant::now();
            let reply = app
                .customer_send(&customer, &format!("cut{i}"), "still there?")
                .await;
            outcomes.push((reply.status, reply.kind().to_owned(), asked.elapsed()));
        }
        outcomes
    };
    let (cut, outcomes) = tokio::join!(cutting, sending);
    assert!(cut > 0, "connections were cut");
    for (status, kind, took) in &outcomes {
        assert!(
            *status == StatusCode::OK
                || (*status == StatusCode::SERVICE_UNAVAILABLE && kind == "unavailable"),
            "{status} {kind}"
        );
        assert!(
            *took < Duration::from_secs(10),
            "a request hung for {took:?}"
        );
    }

    // The pool recovers without help: a retry of every send is stored exactly once.
    for i in 0..30 {
        let reply = app
            .customer_send(&customer, &format!("cut{i}"), "still there?")
            .await;
        assert_eq!(reply.status, StatusCode::OK, "retry {i}");
    }
    let history = app.history(&customer).await;
    let stored = crate::helpers::messages_by(&history["events"], "customer");
    assert_eq!(stored.len(), 30, "each send once, none half-applied");
    let ready = reqwest::get(format!("{}/ready", app.url)).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    eprintln!(
        "{cut} connections cut; {} of 30 sends answered 503 during the cuts; recovered in {:?}",
        outcomes
            .iter()
            .filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
            .count(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_in_auto_mode_assign_a_hundred_waiting_conversations_once_each() {
    use crate::routing::{ask_for_person, team, wait_for_assigned};
    let Some((one, two)) = two_nodes_with(|config| {
        config.assignment = server::routing::Assignment::Auto;
        config.limit_start_per_address = 1_000;
    })
    .await
    else {
        return;
    };
    // Ten agents with ten slots each, half on each node's dashboard.
    let emails = team(&one, 10, 10).await;
    let mut sockets = Vec::new();
    for (n, email) in emails.iter().enumerate() {
        let node = if n % 2 == 0 { &one } else { &two };
        node.agent(email)
            .await
            .set_status(node, "online")
            .await
            .ok();
        sockets.push(node.agent_socket(email).await);
    }
    let mut customers = Vec::new();
    for n in 0..100 {
        let node = if n % 2 == 0 { &one } else { &two };
        let customer = node.customer(&format!("Customer {n}")).await;
        ask_for_person(node, &customer).await;
        customers.push(customer);
    }
    let viewer = one.agent("admin@baton.dev").await;
    let owners = wait_for_assigned(&one, &viewer, &customers, 100).await;
    let mut load = std::collections::HashMap::<String, usize>::new();
    for owner in owners.values() {
        *load.entry(owner.clone()).or_default() += 1;
    }
    assert!(load.values().all(|n| *n <= 10), "over capacity: {load:?}");
    for customer in &customers {
        let events = viewer.get(&one, &customer.id).await["events"].clone();
        let hands = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "assigned" || e["type"] == "taken_over")
            .count();
        assert_eq!(hands, 1, "{}", customer.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_routing_node_loses_its_lock_the_other_node_takes_over_within_seconds() {
    let Some((one, two)) = two_nodes().await else {
        return;
    };
    // Exactly one node leads.
    let (a, b) = (
        one.server.router.tick().await,
        two.server.router.tick().await,
    );
    assert!(a.leading != b.leading, "one leader: {a:?} {b:?}");
    let (leader, other) = if a.leading {
        (&one, &two)
    } else {
        (&two, &one)
    };

    // The leader's lock connection dies (as it does when the node dies).
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&postgres_base().unwrap())
        .await
        .unwrap();
    let name = format!("{}-router", leader.server.pool_name.clone().unwrap());
    let cut = sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(name)
    .fetch_all(&mut admin)
    .await
    .unwrap()
    .len();
    assert_eq!(cut, 1);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if other.server.router.tick().await.leading {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "nobody took over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The old leader knows it no longer leads.
    assert!(!leader.server.router.tick().await.leading);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_together_allow_no_more_than_the_configured_rate() {
    let Some((one, two)) = two_nodes_with(|config| config.limit_start_per_address = 10).await
    else {
        return;
    };
    // Each node hears of the other within its heartbeat (2 s).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while one.server.limits.nodes() != 2 || two.server.limits.nodes() != 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the nodes never saw each other"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One address starts conversations on both nodes, alternately: ten pass in all.
    let mut started = 0;
    for n in 0..20 {
        let node = if n % 2 == 0 { &one } else { &two };
        let reply = node
            .post(
                &crate::helpers::client(),
                "/api/chat/start",
                serde_json::json!({}),
            )
            .await;
        match reply.status {
            StatusCode::OK => started += 1,
            status => assert_eq!(status, StatusCode::TOO_MANY_REQUESTS),
        }
    }
    assert_eq!(started, 10, "the rate is per minute across both nodes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_two_nodes_each_delivery_is_sent_by_exactly_one() {
    let Some((one, two)) = two_nodes_with(|config| {
        config.limit_start_per_address = 0;
        config.webhook_allow_private = true;
        config.webhook_retry_secs = vec![1, 1, 1];
    })
    .await
    else {
        return;
    };
    let receiver = crate::webhooks::Receiver::start(&[]).await;
    let admin = one.agent("admin@baton.dev").await;
    crate::webhooks::register(
        &one,
        &admin,
        &receiver.url,
        serde_json::json!(["conversation.started"]),
    )
    .await;
    let starts = futures::future::join_all(
        (0..40).map(|n| if n % 2 == 0 { &one } else { &two }.customer("Sari")),
    )
    .await;
    receiver.wait_for(40, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let got = receiver.received();
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(got.len(), 40, "each sent once, by one node");
    assert_eq!(ids.len(), starts.len());
}
