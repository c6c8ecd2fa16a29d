//! Prints how the embedded AI does on the evaluation sets: `cargo xtask eval`.
//!
//! `cargo run -p server --example ai_eval -- [--split tune|test] [--dir kb/eval] [--kb kb]
//! [--misses] [--sweep]` prints, per language, top-1 accuracy, wrong answers, out-of-scope
//! questions answered, escalation recall and false escalations, then the reply latency.
//! `--sweep` prints the figures at several confidence thresholds (for calibrating on the
//! tune half); `--fit` fits the calibration of words and meaning (use it on the tune half
//! only); `--words-only` leaves the sentence model out; `--model DIR` reads it from elsewhere
//! than `target/models/all-minilm-l6-v2`; `--dir` points at any sets in the same format;
//! `--explain QUESTION` (repeatable) prints the four best articles and their evidence;
//! `--cross-validate` prints the escalation classifier's five-fold figures on the tune halves
//! for a grid of its parameters (with `--misses`, the messages the shipped parameters
//! classify wrongly).

use std::path::PathBuf;
use std::time::Instant;

use app::backend::ReplyContext;
use app::domain::{Author, Conversation, ConversationId, Mode, Timestamp};
use server::ai::escalation::{cross_validate, training_examples, Classifier, Params, PARAMS};
use server::ai::eval::{evaluate, shortfalls, table, Sets};
use server::ai::kb::{Calibration, Evidence, CALIBRATION};
use server::ai::text::Language;
use server::ai::{semantic, KbResponder, KnowledgeBase};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut split = "test".to_owned();
    let mut dir = root.join("kb/eval");
    let mut kb_dir = root.join("kb");
    let mut misses = false;
    let mut sweep = false;
    let mut fit = false;
    let mut words_only = false;
    let mut explain: Vec<String> = Vec::new();
    let mut cross_validation = false;
    let mut model = semantic::default_dir();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--split" => split = args.next().expect("--split tune|test"),
            "--dir" => dir = PathBuf::from(args.next().expect("--dir PATH")),
            "--kb" => kb_dir = PathBuf::from(args.next().expect("--kb PATH")),
            "--misses" => misses = true,
            "--sweep" => sweep = true,
            "--fit" => fit = true,
            "--words-only" => words_only = true,
            "--explain" => explain.push(args.next().expect("--explain QUESTION")),
            "--cross-validate" => cross_validation = true,
            "--model" => model = PathBuf::from(args.next().expect("--model DIR")),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    if cross_validation {
        // The escalation classifier's parameters, chosen on the tune halves alone.
        println!("threshold | l2 | recall (5-fold, tune) | false escalations");
        for threshold in [0.5f32, 0.6, 0.7, 0.8] {
            for l2 in [1e-4f32, 1e-3, 1e-2] {
                let cv = cross_validate(
                    Params {
                        threshold,
                        l2,
                        ..PARAMS
                    },
                    5,
                );
                println!(
                    "{threshold:.2} | {l2:.0e} | {}/{} | {}/{}",
                    cv.recognised, cv.escalate, cv.falsely_escalated, cv.ordinary
                );
            }
        }
        if misses {
            println!("classified wrongly with the shipped parameters:");
            for miss in cross_validate(PARAMS, 5).misses {
                println!("  {miss}");
            }
        }
        return;
    }
    let articles = server::seed::read_kb_dir(&kb_dir).expect("the knowledge base reads");
    let mut kb = KnowledgeBase::new(articles);
    if !words_only {
        let started = Instant::now();
        let encoder = semantic::shared(&model).unwrap_or_else(|err| {
            eprintln!("{err}\n(`cargo xtask model` unpacks the model; --words-only leaves it out)");
            std::process::exit(1);
        });
        let loaded = started.elapsed();
        kb = kb.understanding(encoder);
        println!(
            "sentence model {}: loaded in {} ms, {} question wordings and the English answers indexed in {} ms",
            model.display(),
            loaded.as_millis(),
            kb.wordings_text().count(),
            (started.elapsed() - loaded).as_millis()
        );
    }
    if !explain.is_empty() {
        for question in &explain {
            println!("{question}");
            for hit in kb.top(question, 4) {
                let e = hit.evidence;
                println!(
                    "  {:<16} score {:.3} confidence {:.2} (similarity {:.3}, margin {:.3}, lexical {:.3}){}",
                    hit.article.slug,
                    hit.score,
                    hit.confidence,
                    e.similarity,
                    e.margin,
                    e.lexical,
                    if hit.answers() { "" } else { " not answered" }
                );
            }
        }
        return;
    }
    let sets = Sets::read(&dir, &split).expect("the evaluation sets read");

    if fit {
        // Only English is read by meaning (see `KnowledgeBase::top`).
        let english = Sets {
            in_scope: sets
                .in_scope
                .iter()
                .filter(|line| line.0 == Language::English)
                .cloned()
                .collect(),
            out_of_scope: sets
                .out_of_scope
                .iter()
                .filter(|line| line.0 == Language::English)
                .cloned()
                .collect(),
            escalation: Vec::new(),
        };
        fit_calibration(&kb, &english);
        return;
    }

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
        brief_for_customer: false,
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

/// Fits how words and meaning combine on `sets` (the tune half): the lexical weight that
/// ranks the most questions right, then a logistic regression of "the top article is the
/// right one" on its evidence, over in-scope and out-of-scope questions alike.
fn fit_calibration(kb: &KnowledgeBase, sets: &Sets) {
    let candidates = [0.0f32, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0];
    let mut ranked = Vec::new();
    for weight in candidates {
        let kb = kb.clone().with_calibration(Calibration {
            lexical_weight: weight,
            ..CALIBRATION
        });
        let right = sets
            .in_scope
            .iter()
            .filter(|(_, slug, q)| kb.best(q).is_some_and(|h| h.article.slug == *slug))
            .count();
        println!(
            "lexical weight {weight:.2}: {right}/{} ranked first",
            sets.in_scope.len()
        );
        ranked.push(right);
    }
    // The middle of the weights that rank the most right (ties are common on a small set).
    let most = ranked.iter().copied().max().unwrap_or(0);
    let best_weights: Vec<f32> = candidates
        .iter()
        .zip(&ranked)
        .filter(|(_, &r)| r == most)
        .map(|(w, _)| *w)
        .collect();
    let best = (best_weights[(best_weights.len() - 1) / 2], most);
    let kb = kb.clone().with_calibration(Calibration {
        lexical_weight: best.0,
        ..CALIBRATION
    });
    // (evidence, right, weight): an out-of-scope question answered costs the most, so those
    // weigh as much as all in-scope ones together.
    let mut rows: Vec<(Evidence, f32, f32)> = Vec::new();
    // Only tops that would be answered: an entry the AI does not answer is refused whatever
    // the calibration says.
    for (_, slug, q) in &sets.in_scope {
        if let Some(hit) = kb.best(q).filter(|hit| hit.answers()) {
            let right = hit.article.slug == *slug;
            rows.push((hit.evidence, f32::from(u8::from(right)), 1.0));
        }
    }
    let out_of_scope_weight = sets.in_scope.len() as f32 / sets.out_of_scope.len().max(1) as f32;
    for (_, q) in &sets.out_of_scope {
        if let Some(hit) = kb.best(q).filter(|hit| hit.answers()) {
            rows.push((hit.evidence, 0.0, out_of_scope_weight));
        }
    }
    let mut weights = [0.0f32; 5];
    let mut bias = 0.0f32;
    let rate = 0.5;
    let l2 = 1e-3;
    for _ in 0..20_000 {
        let mut gradient = [0.0f32; 5];
        let mut gradient_bias = 0.0f32;
        let mut total = 0.0;
        let calibration = Calibration {
            lexical_weight: best.0,
            bias,
            weights,
        };
        for (evidence, label, weight) in &rows {
            let error = weight * (calibration.confidence(evidence) - label);
            total += weight;
            for (g, x) in gradient.iter_mut().zip(evidence.inputs()) {
                *g += error * x;
            }
            gradient_bias += error;
        }
        let n = total;
        // Few examples: only the similarity, its margin over the next article (an entry the
        // AI does not answer among them) and the lexical confidence are fitted (coverage and
        // specificity stay out: on a small set they fit noise).
        for (i, (w, g)) in weights.iter_mut().zip(gradient).enumerate() {
            if i <= 2 {
                *w -= rate * (g / n + l2 * *w);
            }
        }
        bias -= rate * gradient_bias / n;
    }
    println!(
        "{} examples ({} right tops)\nCalibration {{ lexical_weight: {:.2}, bias: {bias:.3}, weights: {weights:.3?} }}",
        rows.len(),
        rows.iter().filter(|r| r.1 > 0.5).count(),
        best.0
    );
}
