//! Measuring the embedded AI the way customers would try it.
//!
//! The sets in `kb/eval/` (see its README) are read, one half chosen (`tune` or `test`), and
//! every line goes through the same decision the responder makes: escalate, answer with an
//! article, or say it is not sure. The report gives, per language, top-1 accuracy (the right
//! article was the answer), the wrong-answer rate, how many out-of-scope questions were
//! answered, escalation recall and the false-escalation rate. `cargo xtask eval` prints it;
//! the test below holds the figures to the targets on the test half.

use std::fmt::Write as _;
use std::path::Path;

use super::embedded::{KbResponder, Outcome};
use super::escalation::{intent, Intent};
use super::text::Language;

/// One half of the evaluation sets, read from a directory of `in_scope.tsv`,
/// `out_of_scope.tsv` and `escalation.tsv`.
#[derive(Debug, Clone, Default)]
pub struct Sets {
    /// (language, expected article, question)
    pub in_scope: Vec<(Language, String, String)>,
    /// (language, question)
    pub out_of_scope: Vec<(Language, String)>,
    /// (language, intent, message)
    pub escalation: Vec<(Language, Intent, String)>,
}

fn language_of(code: &str) -> Option<Language> {
    match code.trim() {
        "en" => Some(Language::English),
        "id" => Some(Language::Indonesian),
        _ => None,
    }
}

fn rows<'a>(text: &'a str, split: &'a str) -> impl Iterator<Item = Vec<&'a str>> + 'a {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split('\t').map(str::trim).collect::<Vec<_>>())
        .filter(move |columns| columns.first() == Some(&split))
}

impl Sets {
    /// Parses the three files' contents, keeping the lines of `split`.
    pub fn parse(in_scope: &str, out_of_scope: &str, escalation: &str, split: &str) -> Self {
        Self {
            in_scope: rows(in_scope, split)
                .filter_map(|c| match c.as_slice() {
                    [_, lang, slug, q] => {
                        Some((language_of(lang)?, (*slug).to_owned(), (*q).to_owned()))
                    }
                    _ => None,
                })
                .collect(),
            out_of_scope: rows(out_of_scope, split)
                .filter_map(|c| match c.as_slice() {
                    [_, lang, q] => Some((language_of(lang)?, (*q).to_owned())),
                    _ => None,
                })
                .collect(),
            escalation: rows(escalation, split)
                .filter_map(|c| match c.as_slice() {
                    [_, lang, label, q] => Some((
                        language_of(lang)?,
                        Intent::from_label(label)?,
                        (*q).to_owned(),
                    )),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Reads `split` of the sets in `dir`.
    pub fn read(dir: &Path, split: &str) -> std::io::Result<Self> {
        let read = |name: &str| std::fs::read_to_string(dir.join(name));
        Ok(Self::parse(
            &read("in_scope.tsv")?,
            &read("out_of_scope.tsv")?,
            &read("escalation.tsv")?,
            split,
        ))
    }
}

/// Counts for one language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub in_scope: usize,
    pub correct: usize,
    pub wrong: usize,
    pub out_of_scope: usize,
    pub out_of_scope_answered: usize,
    pub escalate: usize,
    pub escalated: usize,
    pub ordinary: usize,
    pub falsely_escalated: usize,
    /// What went wrong, for reading: one line each.
    pub misses: Vec<String>,
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Figures {
    pub fn top1(&self) -> f64 {
        share(self.correct, self.in_scope)
    }
    pub fn wrong_rate(&self) -> f64 {
        share(self.wrong, self.in_scope)
    }
    pub fn out_of_scope_answered_rate(&self) -> f64 {
        share(self.out_of_scope_answered, self.out_of_scope)
    }
    pub fn recall(&self) -> f64 {
        share(self.escalated, self.escalate)
    }
    pub fn false_escalation_rate(&self) -> f64 {
        share(self.falsely_escalated, self.ordinary)
    }
}

/// The targets every language must meet.
pub struct Targets {
    pub top1: f64,
    pub wrong: f64,
    pub out_of_scope_answered: f64,
    pub recall: f64,
    pub false_escalation: f64,
}

/// Top-1 at least 90 % (English) or 85 % (Indonesian), at most 3 % wrong answers, no
/// out-of-scope question answered, recall at least 95 %, at most 3 % false escalations.
pub fn targets(language: Language) -> Targets {
    Targets {
        top1: match language {
            Language::English => 0.90,
            Language::Indonesian => 0.85,
        },
        wrong: 0.03,
        out_of_scope_answered: 0.0,
        recall: 0.95,
        false_escalation: 0.03,
    }
}

/// Runs every line of `sets` through `responder`'s decision; `[English, Indonesian]`.
pub fn evaluate(responder: &KbResponder, sets: &Sets) -> [Figures; 2] {
    let mut figures = [Figures::default(), Figures::default()];
    let slot = |language: Language| match language {
        Language::English => 0,
        Language::Indonesian => 1,
    };
    for (language, expected, question) in &sets.in_scope {
        let f = &mut figures[slot(*language)];
        f.in_scope += 1;
        match responder.outcome(question) {
            Outcome::Answer { slug, .. } if slug == *expected => f.correct += 1,
            Outcome::Answer { slug, confidence } => {
                f.wrong += 1;
                f.misses.push(format!(
                    "wrong: {question} → {slug} ({confidence:.2}), expected {expected}"
                ));
            }
            other => f.misses.push(format!(
                "unanswered: {question} → {other:?}, expected {expected}"
            )),
        }
    }
    for (language, question) in &sets.out_of_scope {
        let f = &mut figures[slot(*language)];
        f.out_of_scope += 1;
        if let Outcome::Answer { slug, confidence } = responder.outcome(question) {
            f.out_of_scope_answered += 1;
            f.misses.push(format!(
                "out of scope answered: {question} → {slug} ({confidence:.2})"
            ));
        }
    }
    for (language, expected, message) in &sets.escalation {
        let f = &mut figures[slot(*language)];
        let got = intent(message);
        if expected.escalates() {
            f.escalate += 1;
            if got.escalates() {
                f.escalated += 1;
            } else {
                f.misses.push(format!("missed escalation: {message}"));
            }
        } else {
            f.ordinary += 1;
            if got.escalates() {
                f.falsely_escalated += 1;
                f.misses
                    .push(format!("false escalation: {message} → {got:?}"));
            }
        }
    }
    figures
}

fn percent(value: f64) -> String {
    format!("{:.1} %", value * 100.0)
}

/// The report as a Markdown table, one column per language.
pub fn table(figures: &[Figures; 2]) -> String {
    let [en, id] = figures;
    let mut out = String::new();
    let _ = writeln!(out, "| measure | English | Indonesian | target |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    let mut row = |name: &str, f: &dyn Fn(&Figures) -> String, target: &str| {
        let _ = writeln!(out, "| {name} | {} | {} | {target} |", f(en), f(id));
    };
    row(
        "top-1 accuracy (right article answered)",
        &|f| format!("{} ({}/{})", percent(f.top1()), f.correct, f.in_scope),
        "≥ 90 % en, ≥ 85 % id",
    );
    row(
        "wrong answers",
        &|f| format!("{} ({}/{})", percent(f.wrong_rate()), f.wrong, f.in_scope),
        "≤ 3 %",
    );
    row(
        "out-of-scope answered",
        &|f| {
            format!(
                "{} ({}/{}; {} refused)",
                percent(f.out_of_scope_answered_rate()),
                f.out_of_scope_answered,
                f.out_of_scope,
                f.out_of_scope - f.out_of_scope_answered
            )
        },
        "0 %",
    );
    row(
        "escalation recall",
        &|f| format!("{} ({}/{})", percent(f.recall()), f.escalated, f.escalate),
        "≥ 95 %",
    );
    row(
        "false escalations",
        &|f| {
            format!(
                "{} ({}/{})",
                percent(f.false_escalation_rate()),
                f.falsely_escalated,
                f.ordinary
            )
        },
        "≤ 3 %",
    );
    out
}

/// The targets `figures` miss, as sentences; empty when all are met.
pub fn shortfalls(figures: &[Figures; 2]) -> Vec<String> {
    let mut out = Vec::new();
    for (f, language) in figures
        .iter()
        .zip([Language::English, Language::Indonesian])
    {
        let t = targets(language);
        let code = language.code();
        if f.top1() < t.top1 {
            out.push(format!("{code}: top-1 {:.3} < {}", f.top1(), t.top1));
        }
        if f.wrong_rate() > t.wrong {
            out.push(format!(
                "{code}: wrong answers {:.3} > {}",
                f.wrong_rate(),
                t.wrong
            ));
        }
        if f.out_of_scope_answered_rate() > t.out_of_scope_answered {
            out.push(format!(
                "{code}: out-of-scope answered {:.3}",
                f.out_of_scope_answered_rate()
            ));
        }
        if f.recall() < t.recall {
            out.push(format!(
                "{code}: escalation recall {:.3} < {}",
                f.recall(),
                t.recall
            ));
        }
        if f.false_escalation_rate() > t.false_escalation {
            out.push(format!(
                "{code}: false escalations {:.3} > {}",
                f.false_escalation_rate(),
                t.false_escalation
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::ai::KnowledgeBase;

    fn kb_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kb")
    }

    /// The responder as the server runs it with the sentence model: words and meaning.
    fn responder() -> KbResponder {
        static RESPONDER: std::sync::OnceLock<KbResponder> = std::sync::OnceLock::new();
        RESPONDER
            .get_or_init(|| {
                let articles =
                    crate::seed::read_kb_dir(&kb_dir()).expect("the sample knowledge base reads");
                let dir = crate::ai::semantic::default_dir();
                let encoder = crate::ai::semantic::shared(&dir).unwrap_or_else(|err| {
                    panic!("{err}: `cargo xtask model` unpacks the sentence model there")
                });
                KbResponder::new(KnowledgeBase::new(articles).understanding(encoder), 0.5)
            })
            .clone()
    }

    #[test]
    fn the_sets_are_as_large_as_promised_in_both_halves() {
        let tune = Sets::read(&kb_dir().join("eval"), "tune").unwrap();
        let test = Sets::read(&kb_dir().join("eval"), "test").unwrap();
        let in_scope = tune.in_scope.len() + test.in_scope.len();
        let indonesian = tune
            .in_scope
            .iter()
            .chain(&test.in_scope)
            .filter(|(l, _, _)| *l == Language::Indonesian)
            .count();
        let both = |f: &dyn Fn(&Sets) -> usize| f(&tune) + f(&test);
        assert!(
            in_scope >= 200 && indonesian >= 60,
            "{in_scope} / {indonesian}"
        );
        assert!(both(&|s| s.out_of_scope.len()) >= 60);
        assert!(both(&|s| s.escalation.iter().filter(|e| e.1.escalates()).count()) >= 150);
        assert!(both(&|s| s.escalation.iter().filter(|e| !e.1.escalates()).count()) >= 150);
        assert!(
            test.in_scope.len() * 2 >= in_scope - 2,
            "the test half is half"
        );
    }

    #[test]
    fn every_expected_article_exists() {
        let responder = responder();
        let slugs: Vec<&str> = responder.knowledge_base().slugs().collect();
        for split in ["tune", "test"] {
            for (_, slug, question) in Sets::read(&kb_dir().join("eval"), split).unwrap().in_scope {
                assert!(slugs.contains(&slug.as_str()), "{question} → {slug}");
            }
        }
    }

    #[test]
    fn no_article_variant_copies_an_evaluation_question() {
        let responder = responder();
        let kb = responder.knowledge_base();
        let wordings: Vec<String> = kb.wordings_text().map(|w| w.to_lowercase()).collect();
        for split in ["tune", "test"] {
            let sets = Sets::read(&kb_dir().join("eval"), split).unwrap();
            let questions = sets
                .in_scope
                .iter()
                .map(|(_, _, q)| q)
                .chain(sets.out_of_scope.iter().map(|(_, q)| q));
            for question in questions {
                let q = question.to_lowercase();
                let q = q.trim_end_matches('?');
                assert!(
                    !wordings.iter().any(|w| w.trim_end_matches('?') == q),
                    "{question}"
                );
            }
        }
    }

    /// The figures last measured on the test halves, as floors: a change that makes the AI
    /// answer fewer customers, answer more of them wrongly, answer anything out of scope or
    /// miss more requests for a person fails here.
    #[test]
    fn the_test_halves_never_fall_below_the_measured_figures() {
        let sets = Sets::read(&kb_dir().join("eval"), "test").unwrap();
        let [en, id] = evaluate(&responder(), &sets);
        println!("{}", table(&[en.clone(), id.clone()]));
        assert!(
            en.top1() >= 0.93 && id.top1() >= 0.92,
            "top-1 {} / {}",
            en.top1(),
            id.top1()
        );
        assert!(en.wrong_rate() <= 0.025 && id.wrong_rate() <= 0.01);
        assert_eq!(en.out_of_scope_answered + id.out_of_scope_answered, 0);
        assert!(
            en.recall() >= 0.95 && id.recall() >= 0.97,
            "{} / {}",
            en.recall(),
            id.recall()
        );
        assert!(en.false_escalation_rate() <= 0.03 && id.false_escalation_rate() <= 0.03);
    }

    /// The targets themselves (README, "The AI agent").
    #[test]
    fn the_targets_hold_on_the_test_halves() {
        let sets = Sets::read(&kb_dir().join("eval"), "test").unwrap();
        let figures = evaluate(&responder(), &sets);
        println!("{}", table(&figures));
        let short = shortfalls(&figures);
        let misses: Vec<&String> = figures.iter().flat_map(|f| &f.misses).collect();
        assert!(short.is_empty(), "{short:#?}\n{misses:#?}");
    }
}
