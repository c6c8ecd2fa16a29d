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

        if asks_for_human(question) {
            return Reply::Escalate {
                text: None,
                reason: EscalationReason::CustomerAsked,
                detail: Some(quote(question)),
            };
        }
        if sounds_frustrated(question) {
            return Reply::Escalate {
                text: Some(SORRY.to_owned()),
                reason: EscalationReason::Frustration,
                detail: Some(quote(question)),
            };
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
