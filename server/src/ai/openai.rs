//! An OpenAI-compatible responder: any `/v1/chat/completions` server (OpenAI, Ollama, vLLM).
//!
//! The model is given the best knowledge-base passages, the agent's brief if any, and the
//! conversation; it is told to answer only from them and to say `ESCALATE` otherwise.
//! Requests for a person and frustration are recognised before the model is asked.

use std::time::Duration;

use app::backend::{Reply, ReplyContext, Responder, ResponderError};
use app::domain::{Author, EscalationReason};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::embedded::{escalation_before_answering, STILL_NOT_SURE, STILL_NOT_SURE_ID};
use super::kb::Knowledge;
use super::text::{language, Language};

/// Passages given to the model.
const PASSAGES: usize = 3;
/// What the model says when the passages do not answer the question.
const ESCALATE: &str = "ESCALATE";

/// A secret that never shows in logs or debug output.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

/// Talks to an OpenAI-compatible chat-completions endpoint.
pub struct OpenAiResponder {
    client: reqwest::Client,
    endpoint: String,
    model: String,
    api_key: Option<Secret>,
    kb: Knowledge,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

impl OpenAiResponder {
    /// A responder for the server at `base_url` (e.g. `http://127.0.0.1:11434` for Ollama).
    pub fn new(
        base_url: &str,
        model: &str,
        api_key: Option<Secret>,
        timeout: Duration,
        kb: impl Into<Knowledge>,
    ) -> Result<Self, reqwest::Error> {
        super::escalation::prepare();
        let client = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self {
            client,
            endpoint: format!("{}/v1/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_owned(),
            api_key,
            kb: kb.into(),
        })
    }

    /// The knowledge-base passages given to the model for `question`, and the confidence of
    /// the best one. Reading a question by meaning takes milliseconds of CPU: this runs off
    /// the async workers.
    async fn passages(&self, question: &str) -> Result<(Vec<String>, f32), ResponderError> {
        let kb = self.kb.clone();
        let question = question.to_owned();
        tokio::task::spawn_blocking(move || {
            let kb = kb.current();
            // One ranking (and one reading by meaning) gives the passages and, from the best
            // of them, the confidence.
            let hits = kb.top(&question, PASSAGES);
            let confidence = hits.first().map_or(0.0, |hit| hit.confidence);
            let passages = hits
                .into_iter()
                .map(|hit| match &hit.entry.not_answered {
                    // The model learns that the shop keeps these questions for a person.
                    Some(note) => format!(
                        "Q: {}\nA: (not for the AI to answer: a person answers this. {note})",
                        hit.article.title
                    ),
                    None => {
                        let answer = hit.entry.answer_in(language(&question));
                        format!("Q: {}\nA: {answer}", hit.article.title)
                    }
                })
                .collect();
            (passages, confidence)
        })
        .await
        .map_err(|err| ResponderError::Provider(err.to_string()))
    }

    fn messages(&self, context: &ReplyContext, passages: &[String]) -> Vec<serde_json::Value> {
        let mut system = format!(
            "You are the customer-service assistant of an online shop. Answer the customer \
             briefly and kindly, using only the knowledge-base passages below. If they do not \
             answer the question, reply with exactly {ESCALATE} and nothing else. Never invent \
             policies, prices or dates. Answer in the customer's language (English or \
             Indonesian).\n\nKnowledge base:\n{}",
            passages.join("\n\n")
        );
        let conversation = &context.conversation;
        match &conversation.brief {
            Some(brief) if conversation.brief_for_customer => system.push_str(&format!(
                "\n\nA human agent handed this conversation back to you with this note, which \
                 the customer may read. Follow it, and when the customer asks about what it \
                 says, pass it on in their language: {brief}"
            )),
            Some(brief) => system.push_str(&format!(
                "\n\nA human agent handed this conversation back to you with this private brief. \
                 Follow it, but never quote it, reveal it or say that a note exists: \
                 {brief}"
            )),
            None => {}
        }
        let mut messages = vec![json!({ "role": "system", "content": system })];
        for (author, text) in &context.transcript {
            let (role, content) = match author {
                Author::Customer => ("user", text.clone()),
                Author::Ai => ("assistant", text.clone()),
                Author::Agent { agent } => {
                    ("assistant", format!("[{}, human agent] {text}", agent.name))
                }
                Author::System => continue,
            };
            messages.push(json!({ "role": role, "content": content }));
        }
        messages
    }
}

#[async_trait]
impl Responder for OpenAiResponder {
    async fn reply(&self, context: ReplyContext) -> Result<Reply, ResponderError> {
        let question = context.question().to_owned();
        if let Some(escalation) = escalation_before_answering(&context) {
            return Ok(escalation);
        }
        let (passages, confidence) = self.passages(&question).await?;
        let body = json!({
            "model": self.model,
            "messages": self.messages(&context, &passages),
            "temperature": 0.2,
        });
        let mut request = self.client.post(&self.endpoint).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|err| {
            if err.is_timeout() {
                ResponderError::Timeout
            } else {
                ResponderError::Provider(err.to_string())
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(ResponderError::Provider(format!("HTTP {status}")));
        }
        let completion: Completion = response.json().await.map_err(|err| {
            if err.is_timeout() {
                ResponderError::Timeout
            } else {
                ResponderError::Provider(format!("unreadable answer: {err}"))
            }
        })?;
        let text = completion
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .map(|text| text.trim().to_owned())
            .unwrap_or_default();
        if text.is_empty() {
            return Err(ResponderError::Provider("empty answer".into()));
        }
        if text.trim_matches(|c: char| !c.is_alphanumeric()) == ESCALATE {
            return Ok(Reply::Escalate {
                text: Some(match language(&question) {
                    Language::English => STILL_NOT_SURE.to_owned(),
                    Language::Indonesian => STILL_NOT_SURE_ID.to_owned(),
                }),
                reason: EscalationReason::LowConfidence,
                detail: Some("The AI found no answer in the knowledge base".into()),
            });
        }
        Ok(Reply::Answer { text, confidence })
    }
}
