//! Baton's configuration: command-line flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::ai::Secret;

/// How Baton's server runs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "baton",
    version,
    about = "Baton: AI ↔ human hand-off for customer-service chat"
)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "BATON_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Database: `sqlite://path/to/file.db` (created on first run).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/baton.db")]
    pub database_url: String,

    /// The built SPA (Trunk's output folder).
    #[arg(long, env = "BATON_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// The Markdown knowledge base, loaded into the database on first run.
    #[arg(long, env = "BATON_KB_DIR", default_value = "kb")]
    pub kb_dir: PathBuf,

    /// The origin browsers use to reach Baton, e.g. `https://chat.example.com`. State-changing
    /// calls from any other origin are refused; `https://` also marks cookies `Secure`.
    /// Unset: the request's own `Host` is the only accepted origin.
    #[arg(long, env = "BATON_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// Create the demo agents when the database has no agents yet.
    #[arg(long, env = "BATON_SEED_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// How long an agent stays signed in, in hours.
    #[arg(long, env = "BATON_SESSION_TTL_HOURS", default_value_t = 12)]
    pub session_ttl_hours: u32,

    /// The embedded AI answers only when its retrieval confidence reaches this (0–1).
    #[arg(long, env = "BATON_AI_CONFIDENCE", default_value_t = 0.5)]
    pub ai_confidence: f32,

    /// Which AI answers customers: the embedded knowledge-base responder, or an
    /// OpenAI-compatible chat-completions server.
    #[arg(long, env = "BATON_AI_PROVIDER", value_enum, default_value_t = AiProvider::Embedded)]
    pub ai_provider: AiProvider,

    /// The OpenAI-compatible server's base URL (without `/v1`), e.g. `http://127.0.0.1:11434`.
    #[arg(
        long,
        env = "BATON_AI_BASE_URL",
        default_value = "https://api.openai.com"
    )]
    pub ai_base_url: String,

    /// The model the OpenAI-compatible server should use.
    #[arg(long, env = "BATON_AI_MODEL", default_value = "gpt-4o-mini")]
    pub ai_model: String,

    /// The API key for the OpenAI-compatible server, if it needs one.
    #[arg(long, env = "BATON_AI_API_KEY", hide_env_values = true)]
    pub ai_api_key: Option<Secret>,

    /// How long to wait for the AI provider before the customer gets a polite fallback and
    /// the conversation waits for a human.
    #[arg(long, env = "BATON_AI_TIMEOUT_SECS", default_value_t = 20)]
    pub ai_timeout_secs: u64,

    /// Sign-in attempts allowed per e-mail address per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_SIGN_IN_PER_ACCOUNT", default_value_t = 10)]
    pub limit_sign_in_per_account: u32,

    /// Sign-in attempts allowed per network address per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_SIGN_IN_PER_ADDRESS", default_value_t = 120)]
    pub limit_sign_in_per_address: u32,

    /// Conversations a network address may start per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_START_PER_ADDRESS", default_value_t = 30)]
    pub limit_start_per_address: u32,

    /// Customer messages allowed per conversation per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_SEND_PER_CONVERSATION", default_value_t = 60)]
    pub limit_send_per_conversation: u32,

    /// Log format.
    #[arg(long, env = "BATON_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Which AI answers customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiProvider {
    /// Answers from the Markdown knowledge base (BM25 retrieval); no network.
    Embedded,
    /// Any `/v1/chat/completions` server: OpenAI, Ollama, vLLM.
    Openai,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Config {
    /// The defaults, as if started with no flags and no environment (for tests).
    pub fn defaults() -> Self {
        Self::parse_from(["baton"])
    }

    /// True when cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|origin| origin.starts_with("https://"))
    }
}
