//! Agents racing each other: exactly one winner, the losers told who won, and gap-free logs
//! under concurrent sends.

use futures::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{seqs, AgentClient, TestApp};

/// Signs in `n` extra agents created for the race.
async fn many_agents(app: &TestApp, n: usize) -> Vec<AgentClient> {
    let hash = app::backend::auth::hash_password(crate::helpers::PASSWORD).unwrap();
    for i in 0..n {
        app.create_agent(
            &format!("Racer {i:02}"),
            &format!("racer{i}@baton.dev"),
            &hash,
        )
        .await;
    }
    join_all((0..n).map(|i| {
        let email = format!("racer{i}@baton.dev");
        async move { app.agent(&email).await }
    }))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_takeovers_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let agents = many_agents(&app, 50).await;

    let replies = join_all(agents.iter().map(|a| a.takeover(&app, &customer.id))).await;

    let winners: Vec<usize> = (0..replies.len())
        .filter(|&i| replies[i].status == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one winner");
    let winner = &agents[winners[0]].name;
    for (i, reply) in replies.iter().enumerate().filter(|(i, _)| *i != winners[0]) {
        assert_eq!(reply.status, StatusCode::CONFLICT, "agent {i}");
        assert_eq!(reply.message(), format!("Already taken over by {winner}"));
    }
    let detail = agents[0].get(&app, &customer.id).await;
    let taken_over = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "taken_over")
        .count();
    assert_eq!(taken_over, 1);
    assert_eq!(detail["conversation"]["version"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transfer_racing_a_handover_applies_exactly_one() {
    let app = TestApp::spawn().await;
    let ana = app.agent("ana@baton.dev").await;
    let budi = app.agent("budi@baton.dev").await;

    for round in 0..10 {
        let customer = app.customer(&format!("Round {round}")).await;
        ana.takeover(&app, &customer.id).await.ok();

        let (transfer, handover) = tokio::join!(
            ana.transfer(&app, &customer.id, &budi.id, Some("race")),
            ana.handover(&app, &customer.id, None),
        );

        let applied = [&transfer, &handover]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(applied, 1, "round {round}: {transfer:?} {handover:?}");
        let detail = ana.get(&app, &customer.id).await;
        let kinds: Vec<String> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .filter(|t| t == "transferred" || t == "handed_over")
            .collect();
        assert_eq!(kinds.len(), 1, "round {round}: {kinds:?}");
        let mode = &detail["conversation"]["mode"]["kind"];
        match kinds[0].as_str() {
            "transferred" => assert_eq!(mode, "human"),
            _ => assert_eq!(mode, "ai"),
        }
        let all = seqs(&detail["events"]);
        assert_eq!(all, (1..=all.len() as u64).collect::<Vec<_>>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_customer_sends_are_all_stored_with_gap_free_seq() {
    let app = TestApp::spawn().await;
    let customer = app.customer("Sari").await;
    let ana = app.agent("ana@baton.dev").await;
    // A human owns it, so only the customer's messages are written.
    ana.takeover(&app, &customer.id).await.ok();

    let replies = join_all((0..50).map(|i| {
        let customer = customer.clone();
        let app = &app;
        async move {
            app.customer_send(&customer, &format!("m{i}"), &format!("message {i}"))
                .await
        }
    }))
    .await;

    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    let detail = ana.get(&app, &customer.id).await;
    let all = seqs(&detail["events"]);
    assert_eq!(all, (1..=all.len() as u64).collect::<Vec<_>>());
    let mut bodies = crate::helpers::messages_by(&detail["events"], "customer");
    bodies.sort();
    let mut expected: Vec<String> = (0..50).map(|i| format!("message {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected);
}
