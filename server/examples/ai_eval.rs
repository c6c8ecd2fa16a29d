//! Prints how the embedded AI does on the evaluation sets: `cargo xtask eval`.
//!
//! `cargo run -p server --example ai_eval -- [--split tune|test] [--dir kb/eval] [--kb kb]
//! [--misses] [--sweep]` prints, per language, top-1 accuracy, wrong answers, out-of-scope
//! questions answered, escalation recall and false escalations, then the reply latency.
//! `--sweep` prints the figures at several confidence thresholds (for calibrating on the
//! tune half); `--dir` points at any sets in the same format.

use std::path::PathBuf;
use std::time::Instant;

use app::backend::ReplyContext;
use app::domain::{Author, Conversation, ConversationId, Mode, Timestamp};
use server::ai::escalation::{training_examples, Classifier, PARAMS};
use server::ai::eval::{evaluate, shortfalls, table, Sets};
use server::ai::{KbResponder, KnowledgeBase};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut split = "test".to_owned();
    let mut dir = root.join("kb/eval");
    let mut kb_dir = root.join("kb");
    let mut misses = false;
    let mut sweep = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--split" => split = args.next().expect("--split tune|test"),
            "--dir" => dir = PathBuf::from(args.next().expect("--dir PATH")),
            "--kb" => kb_dir = PathBuf::from(args.next().expect("--kb PATH")),
            "--misses" => misses = true,
            "--sweep" => sweep = true,
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let articles = server::seed::read_kb_dir(&kb_dir).expect("the knowledge base reads");
    let kb = KnowledgeBase::new(articles);
    let sets = Sets::read(&dir, &split).expect("the evaluation sets read");

    if sweep {
        println!("threshold | en top-1 | en wrong | id top-1 | id wrong | out-of-scope answered");
        for step in 2..=16 {
            let threshold = step as f32 * 0.05;
            let responder = KbResponder::new(kb.clone(), threshold);
            let [en, id] = evaluate(&responder, &sets);
            println!(
                "{threshold:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {}",
                en.top1(),
                en.wrong_rate(),
                id.top1(),
                id.wrong_rate(),
                en.out_of_scope_answered + id.out_of_scope_answered
            );
        }
        return;
    }

    let started = Instant::now();
    let classifier = Classifier::train(&training_examples(), PARAMS);
    println!(
        "intent classifier: {} training messages, {} features × 3 intents, trained in {} ms",
        training_examples().len(),
        classifier.feature_count(),
        started.elapsed().as_millis()
    );

    let responder = KbResponder::new(kb, 0.5);
    let figures = evaluate(&responder, &sets);
    println!(
        "Embedded AI on the {split} half of {} ({} in-scope, {} out-of-scope, {} escalation lines)\n",
        dir.display(),
        sets.in_scope.len(),
        sets.out_of_scope.len(),
        sets.escalation.len()
    );
    print!("{}", table(&figures));

    // Reply latency: the whole decision for every line, ten rounds.
    let conversation = Conversation {
        id: ConversationId::new(),
        customer_name: "Eval".into(),
        mode: Mode::Ai,
        mode_since: Timestamp(0),
        owner: None,
        waiting: None,
        version: 0,
        last_seq: 1,
        preview: None,
        brief: None,
        reply_due_since: None,
        contact_email: None,
        verified: None,
        locale: Default::default(),
        labels: Vec::new(),
        priority: Default::default(),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    let questions: Vec<&str> = sets
        .in_scope
        .iter()
        .map(|(_, _, q)| q.as_str())
        .chain(sets.out_of_scope.iter().map(|(_, q)| q.as_str()))
        .chain(sets.escalation.iter().map(|(_, _, q)| q.as_str()))
        .collect();
    let mut micros: Vec<u128> = Vec::new();
    for _ in 0..10 {
        for question in &questions {
            let context = ReplyContext {
                conversation: conversation.clone(),
                transcript: vec![(Author::Customer, (*question).to_owned())],
                brief: None,
            };
            let started = Instant::now();
            std::hint::black_box(responder.decide(&context));
            micros.push(started.elapsed().as_micros());
        }
    }
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q) as usize];
    println!(
        "\nreply latency ({} replies, {} build): p50 {} µs, p99 {} µs, max {} µs",
        micros.len(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        at(0.5),
        at(0.99),
        micros.last().copied().unwrap_or_default()
    );

    let short = shortfalls(&figures);
    if short.is_empty() {
        println!("targets: all met");
    } else {
        println!("targets missed: {}", short.join("; "));
    }
    if misses {
        for f in &figures {
            for miss in &f.misses {
                println!("  {miss}");
            }
        }
    }
}
