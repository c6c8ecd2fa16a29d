//! The default responder: answers from the knowledge base and never guesses.

use app::backend::{Reply, ReplyContext, Responder, ResponderError};
use app::domain::{Author, EscalationReason};
use async_trait::async_trait;

use super::escalation::{asks_for_human, sounds_frustrated};
use super::kb::{terms, KnowledgeBase};

/// Said when no article is a confident match.
pub const NOT_SURE: &str = "I'm not sure I can answer that correctly, and I'd rather not guess. Could you rephrase your question? You can also press \"Talk to a person\" and a member of our team will help you.";

/// Said when the AI still cannot answer and calls a person.
pub const STILL_NOT_SURE: &str = "I'm sorry, I still can't answer that with confidence. I'm asking a member of our Customer Service team to help you.";

/// Said when the customer is clearly unhappy.
pub const SORRY: &str = "I'm sorry this has been frustrating. I'm bringing in a member of our Customer Service team right away.";

/// Answers from the Markdown knowledge base with BM25 retrieval.
pub struct KbResponder {
    kb: KnowledgeBase,
    threshold: f32,
}

impl KbResponder {
    /// A responder over `kb` that answers only when its confidence reaches `threshold`.
    pub fn new(kb: KnowledgeBase, threshold: f32) -> Self {
        Self { kb, threshold }
    }

    /// The reply to `context`, computed synchronously.
    pub fn decide(&self, context: &ReplyContext) -> Reply {
        let question = context
            .transcript
            .iter()
            .rev()
            .find(|(author, _)| *author == Author::Customer)
            .map(|(_, text)| text.as_str())
            .unwrap_or_default();

        if let Some(escalation) = escalation_before_answering(question) {
            return escalation;
        }
        if let Some(brief) = &context.brief {
            let brief_terms = terms(brief);
            if terms(question).iter().any(|t| brief_terms.contains(t)) {
                return Reply::Answer {
                    text: format!("Our team left this note on your case: {brief}"),
                    confidence: 1.0,
                };
            }
        }
        match self.kb.best(question) {
            Some(hit) if hit.confidence >= self.threshold => Reply::Answer {
                text: hit.article.body.clone(),
                confidence: hit.confidence,
            },
            hit => {
                let confidence = hit.map(|h| h.confidence).unwrap_or(0.0);
                let last_ai = context
                    .transcript
                    .iter()
                    .rev()
                    .find(|(author, _)| *author == Author::Ai)
                    .map(|(_, text)| text.as_str());
                if last_ai == Some(NOT_SURE) {
                    Reply::Escalate {
                        text: Some(STILL_NOT_SURE.to_owned()),
                        reason: EscalationReason::LowConfidence,
                        detail: Some(format!(
                            "Twice unsure (confidence {confidence:.2}); last question: {}",
                            quote(question)
                        )),
                    }
                } else {
                    Reply::Answer {
                        text: NOT_SURE.to_owned(),
                        confidence,
                    }
                }
            }
        }
    }
}

/// Escalates without asking any model when the customer asks for a person or is upset.
pub fn escalation_before_answering(question: &str) -> Option<Reply> {
    if asks_for_human(question) {
        return Some(Reply::Escalate {
            text: None,
            reason: EscalationReason::CustomerAsked,
            detail: Some(quote(question)),
        });
    }
    if sounds_frustrated(question) {
        return Some(Reply::Escalate {
            text: Some(SORRY.to_owned()),
            reason: EscalationReason::Frustration,
            detail: Some(quote(question)),
        });
    }
    None
}

fn quote(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    format!("\u{201c}{short}\u{201d}")
}

#[async_trait]
impl Responder for KbResponder {
    async fn reply(&self, context: ReplyContext) -> Result<Reply, ResponderError> {
        Ok(self.decide(&context))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ai::kb::KnowledgeBase;

    fn sample_kb() -> KnowledgeBase {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb");
        KnowledgeBase::new(crate::seed::read_kb_dir(&dir).expect("the sample knowledge base reads"))
    }

    /// (question, expected slug) pairs never used as article titles.
    fn held_out() -> Vec<(String, String)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb/heldout.tsv");
        std::fs::read_to_string(path)
            .expect("kb/heldout.tsv reads")
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(q, slug)| (q.trim().to_owned(), slug.trim().to_owned()))
            .collect()
    }

    #[test]
    fn the_sample_knowledge_base_has_at_least_thirty_entries() {
        assert!(sample_kb().len() >= 30, "{}", sample_kb().len());
    }

    #[test]
    fn held_out_questions_find_their_article_first() {
        let kb = sample_kb();
        let questions = held_out();
        assert_eq!(questions.len(), 30);
        let misses: Vec<String> = questions
            .iter()
            .filter(|(q, slug)| kb.best(q).map(|hit| &hit.article.slug) != Some(slug))
            .map(|(q, slug)| {
                let got = kb
                    .best(q)
                    .map(|h| h.article.slug.clone())
                    .unwrap_or_default();
                format!("{q} → {got} (expected {slug})")
            })
            .collect();
        let correct = questions.len() - misses.len();
        println!("held-out top-1 accuracy: {correct}/{}", questions.len());
        assert!(
            correct >= 27,
            "top-1 accuracy {correct}/30; misses: {misses:#?}"
        );
    }

    #[test]
    fn a_confident_match_answers_with_the_articles_text() {
        let kb = sample_kb();
        let responder = KbResponder::new(kb.clone(), 0.5);
        let context = ReplyContext {
            conversation: crate::hub::tests_support::conversation(),
            transcript: vec![(Author::Customer, "How do I reset my password?".into())],
            brief: None,
        };
        match responder.decide(&context) {
            Reply::Answer { text, confidence } => {
                let expected = kb
                    .best("How do I reset my password?")
                    .unwrap()
                    .article
                    .body
                    .clone();
                assert_eq!(text, expected);
                assert!(confidence >= 0.5);
            }
            other => panic!("{other:?}"),
        }
    }
}
