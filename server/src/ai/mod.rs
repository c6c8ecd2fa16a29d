//! The AI agent: the embedded knowledge-base responder and what it needs.

/// The default responder: answers from the knowledge base.
pub mod embedded;
/// Recognising requests for a person and frustration: a trained intent classifier.
pub mod escalation;
/// Measuring retrieval and escalation on the evaluation sets.
pub mod eval;
/// The knowledge base: Markdown parsing and BM25 retrieval.
pub mod kb;
/// An OpenAI-compatible provider.
pub mod openai;
/// Sentence embeddings for retrieval that understands paraphrase.
pub mod semantic;
/// Normalising English and Indonesian text into comparable terms.
pub mod text;

pub use embedded::{KbResponder, Outcome};
pub use kb::{Article, Knowledge, KnowledgeBase};
pub use openai::{OpenAiResponder, Secret};
