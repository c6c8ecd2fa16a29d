//! The AI agent: the embedded knowledge-base responder and what it needs.

/// The default responder: answers from the knowledge base.
pub mod embedded;
/// Recognising requests for a person and frustration.
pub mod escalation;
/// The knowledge base: Markdown parsing and BM25 retrieval.
pub mod kb;
/// An OpenAI-compatible provider.
pub mod openai;

pub use embedded::KbResponder;
pub use kb::{Article, KnowledgeBase};
pub use openai::{OpenAiResponder, Secret};
