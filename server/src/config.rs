//! Baton's configuration: command-line flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use ipnet::IpNet;

use crate::ai::Secret;
use crate::routing::{Assignment, BusinessHours, Settings};

/// How Baton's server runs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "baton",
    version,
    about = "Baton: AI ↔ human hand-off for customer-service chat"
)]
pub struct Config {
    /// What to do instead of serving (none: serve).
    #[command(subcommand)]
    pub command: Option<Command>,

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

    /// Host names Baton answers to besides loopback, the listening address and the public
    /// origin's host (comma-separated). Requests naming any other `Host` are refused, so a
    /// DNS-rebinding page cannot reach Baton. `/health` answers every host.
    #[arg(long, env = "BATON_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the real client
    /// (comma-separated addresses or CIDR ranges, e.g. `10.0.0.0/8`). Other peers' forwarding
    /// headers are ignored.
    #[arg(long, env = "BATON_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<IpNet>,

    /// Create the demo agents (shared, public password) when the database has no agents yet.
    /// For local demos only: `cargo xtask run` turns it on.
    #[arg(long, env = "BATON_SEED_DEMO", default_value_t = false, action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// Allow demo accounts although the public origin is `https://` (a public deployment).
    #[arg(long, env = "BATON_ALLOW_DEMO_ACCOUNTS", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_demo_accounts: bool,

    /// How many days refused sign-ins stay in the audit log (at most the newest 100,000 are
    /// kept). Nothing else in the audit log is ever deleted.
    #[arg(
        long,
        env = "BATON_REFUSED_SIGN_IN_RETENTION_DAYS",
        default_value_t = 30
    )]
    pub refused_sign_in_retention_days: u32,

    /// How long an agent stays signed in, in hours.
    #[arg(long, env = "BATON_SESSION_TTL_HOURS", default_value_t = 12)]
    pub session_ttl_hours: u32,

    /// The embedded AI answers only when its retrieval confidence reaches this (0–1).
    #[arg(long, env = "BATON_AI_CONFIDENCE", default_value_t = 0.5)]
    pub ai_confidence: f32,

    /// A sentence-embedding model directory (`config.json`, `vocab.txt`,
    /// `model.safetensors` of all-MiniLM-L6-v2; `cargo xtask model` unpacks it into
    /// `target/models/all-minilm-l6-v2`). With it the AI understands paraphrased questions;
    /// without it, it answers by words only.
    #[arg(long, env = "BATON_AI_MODEL_DIR")]
    pub ai_model_dir: Option<PathBuf>,

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

    /// How long the AI waits for a customer to go quiet before it answers, in milliseconds:
    /// a customer who writes "hi", then "I ordered a jacket", then their question gets one
    /// answer, to the question. While the customer types again it waits until they pause
    /// for 3 s (at most 20 s after their line). 0 answers each line at once.
    #[arg(long, env = "BATON_AI_SETTLE_MS", default_value_t = 1000)]
    pub ai_settle_ms: u64,

    /// Failed sign-ins allowed per e-mail address from one network address per minute
    /// (0: unlimited). Successful sign-ins are not counted.
    #[arg(long, env = "BATON_LIMIT_SIGN_IN_FAILURES", default_value_t = 10)]
    pub limit_sign_in_failures: u32,

    /// Failed sign-ins allowed per e-mail address from all addresses together per minute
    /// (0: unlimited): a looser cap against guessing from many addresses.
    #[arg(
        long,
        env = "BATON_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT",
        default_value_t = 60
    )]
    pub limit_sign_in_failures_per_account: u32,

    /// Sign-in attempts allowed per network address per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_SIGN_IN_PER_ADDRESS", default_value_t = 120)]
    pub limit_sign_in_per_address: u32,

    /// Conversations a network address may start per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_START_PER_ADDRESS", default_value_t = 30)]
    pub limit_start_per_address: u32,

    /// Customer messages allowed per conversation per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_SEND_PER_CONVERSATION", default_value_t = 60)]
    pub limit_send_per_conversation: u32,

    /// WebSocket handshakes allowed per network address per minute (0: unlimited).
    #[arg(long, env = "BATON_LIMIT_HANDSHAKE_PER_ADDRESS", default_value_t = 600)]
    pub limit_handshake_per_address: u32,

    /// Live sockets one conversation may have (its customer's tabs; 0: no cap).
    #[arg(long, env = "BATON_MAX_SOCKETS_PER_CONVERSATION", default_value_t = 50)]
    pub max_sockets_per_conversation: usize,

    /// Live sockets one network address may hold (0: no cap). Generous, since many
    /// customers can share one address behind a carrier's NAT.
    #[arg(long, env = "BATON_MAX_SOCKETS_PER_ADDRESS", default_value_t = 2_000)]
    pub max_sockets_per_address: usize,

    /// How waiting conversations reach agents: `manual` (agents press Take Over) or `auto`
    /// (each goes to the online agent with the most free slots, ties to the longest idle).
    #[arg(long, env = "BATON_ASSIGNMENT", value_enum, default_value_t = Assignment::Manual)]
    pub assignment: Assignment,

    /// Seconds the owner has to answer a waiting customer after a takeover, assignment,
    /// transfer or customer message before the conversation goes back to the queue
    /// (0: no reply timer).
    #[arg(long, env = "BATON_REPLY_TIMEOUT_SECS", default_value_t = 300)]
    pub reply_timeout_secs: u64,

    /// Seconds an owner may be without a live dashboard before their conversations go back
    /// to the queue.
    #[arg(long, env = "BATON_OWNER_GRACE_SECS", default_value_t = 120)]
    pub owner_grace_secs: u64,

    /// When the team answers, e.g. `Mon-Fri 08:00-17:00 Asia/Jakarta` (several spans
    /// comma-separated). Outside them a waiting customer is told when the team is back.
    /// Unset: always open.
    #[arg(long, env = "BATON_BUSINESS_HOURS", value_parser = crate::routing::hours::parse_flag)]
    pub business_hours: Option<BusinessHours>,

    /// Serve Prometheus metrics at `/metrics` on the main address to requests that carry
    /// `Authorization: Bearer <token>`.
    #[arg(long, env = "BATON_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Serve Prometheus metrics at `/metrics` on this separate address, without a token
    /// (bind it where only the scraper reaches, e.g. `127.0.0.1:9300`).
    #[arg(long, env = "BATON_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Let webhooks reach loopback, private, link-local and metadata addresses (refused by
    /// default, checked on the address each delivery connects to): for on-premise
    /// receivers and tests.
    #[arg(long, env = "BATON_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,

    /// The waits between webhook attempts, in seconds, comma-separated; the first attempt
    /// is immediate and each failure waits the next (with ±20 % jitter); after the last the
    /// delivery fails. For tests; the default is the documented schedule.
    #[arg(
        long,
        env = "BATON_WEBHOOK_RETRY_SECS",
        hide = true,
        value_delimiter = ',',
        default_values_t = crate::webhooks::RETRY_SECS
    )]
    pub webhook_retry_secs: Vec<u64>,

    /// Origins whose pages may show the chat widget (`widget.js`), comma-separated, e.g.
    /// `https://shop.example,https://www.shop.example`. Only they may frame the embedded chat
    /// page; none: the widget is off.
    #[arg(long, env = "BATON_WIDGET_ORIGINS", value_delimiter = ',', value_parser = crate::widget::parse_origin)]
    pub widget_origins: Vec<String>,

    /// The secret the host site's backend signs customers' identity tokens with (JWT, HS256,
    /// at least 32 bytes; see the chat widget's `Baton.identify`). Unset: identity tokens are
    /// refused and every customer is anonymous.
    #[arg(long, env = "BATON_IDENTITY_SECRET", hide_env_values = true, value_parser = IdentitySecret::parse)]
    pub identity_secret: Option<IdentitySecret>,

    /// Refuse conversations from customers the host site has not verified (needs
    /// `--identity-secret`); the hosted `/chat` page can then start none either.
    #[arg(long, env = "BATON_REQUIRE_IDENTITY")]
    pub require_identity: bool,

    /// Ask the customer for a rating (CSAT) after an agent hands the conversation back to the
    /// AI too, not only after a close.
    #[arg(long, env = "BATON_CSAT_AFTER_HANDOVER")]
    pub csat_after_handover: bool,

    /// Log format.
    #[arg(long, env = "BATON_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// What the `baton` binary can do besides serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Manage agents without the web interface.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
    /// Writes a consistent copy of the SQLite database to FILE while Baton keeps serving
    /// (`VACUUM INTO`). Restore by starting Baton with `DATABASE_URL=sqlite://FILE`.
    /// PostgreSQL: use `pg_dump` / `pg_restore` (README).
    Backup {
        /// Where to write the copy (must not exist yet).
        file: PathBuf,
    },
}

/// `baton admin …`
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Creates an admin with a chosen password: the way to the first account of a real
    /// deployment. The password is read from `BATON_ADMIN_PASSWORD`, or else from the first
    /// line of standard input (never from a flag, which shell history would keep).
    Create {
        /// The admin's e-mail address (their sign-in).
        #[arg(long)]
        email: String,
        /// The name agents and customers see.
        #[arg(long)]
        name: String,
    },
}

/// A trusted proxy: one address, or a CIDR range.
fn parse_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{raw}` is neither an IP address nor a CIDR range"))
}

/// Which AI answers customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiProvider {
    /// Answers from the Markdown knowledge base (BM25 retrieval); no network.
    Embedded,
    /// Any `/v1/chat/completions` server: OpenAI, Ollama, vLLM.
    Openai,
}

/// The identity secret, checked at start; never printed.
#[derive(Clone)]
pub struct IdentitySecret(pub std::sync::Arc<app::backend::identity::IdentityKey>);

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySecret(…)")
    }
}

impl IdentitySecret {
    /// The secret, or why it is too weak.
    pub fn parse(raw: &str) -> Result<Self, String> {
        app::backend::identity::IdentityKey::new(raw.as_bytes())
            .map(|key| Self(std::sync::Arc::new(key)))
    }
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

    /// Why this configuration must not start, if it must not: demo accounts with a public
    /// password on a public (`https://`) deployment, or verified customers required without
    /// a secret to verify them with.
    pub fn refusal(&self) -> Option<String> {
        if self.require_identity && self.identity_secret.is_none() {
            return Some(
                "--require-identity needs --identity-secret (the key the site signs its \
                 customers' identity tokens with)"
                    .into(),
            );
        }
        if self.seed_demo && self.secure_cookies() && !self.allow_demo_accounts {
            return Some(
                "demo accounts (shared public password) on a public https:// deployment: \
                 create an admin with `baton admin create` instead, or pass \
                 --allow-demo-accounts=true if you really mean it"
                    .into(),
            );
        }
        None
    }

    /// How webhooks are sent.
    pub fn webhooks(&self) -> crate::webhooks::Settings {
        crate::webhooks::Settings {
            retry: self
                .webhook_retry_secs
                .iter()
                .map(|secs| std::time::Duration::from_secs(*secs))
                .collect(),
            allow_private: self.webhook_allow_private,
        }
    }

    /// The router's settings.
    pub fn routing(&self) -> Settings {
        Settings {
            assignment: self.assignment,
            reply_timeout: (self.reply_timeout_secs > 0)
                .then(|| std::time::Duration::from_secs(self.reply_timeout_secs)),
            owner_grace: std::time::Duration::from_secs(self.owner_grace_secs),
            hours: self.business_hours.clone(),
        }
    }

    /// True when cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|origin| origin.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_binary_seeds_no_demo_accounts_unless_asked() {
        assert!(!Config::defaults().seed_demo);
        assert!(Config::parse_from(["baton", "--seed-demo", "true"]).seed_demo);
    }

    #[test]
    fn demo_accounts_on_a_public_https_origin_refuse_to_start_unless_forced() {
        let public = [
            "baton",
            "--seed-demo",
            "true",
            "--public-origin",
            "https://chat.example.com",
        ];
        assert!(Config::parse_from(public).refusal().is_some());
        let forced = [&public[..], &["--allow-demo-accounts", "true"]].concat();
        assert!(Config::parse_from(forced).refusal().is_none());
        let local = [
            "baton",
            "--seed-demo",
            "true",
            "--public-origin",
            "http://127.0.0.1:3000",
        ];
        assert!(Config::parse_from(local).refusal().is_none());
    }

    #[test]
    fn a_short_identity_secret_or_required_identity_without_one_stops_the_server() {
        let short = Config::try_parse_from(["baton", "--identity-secret", "short"]).unwrap_err();
        assert!(short.to_string().contains("at least 32 bytes"), "{short}");
        let required = Config::parse_from(["baton", "--require-identity"]);
        assert!(required.refusal().unwrap().contains("--identity-secret"));
        let secret = "s".repeat(32);
        let both =
            Config::parse_from(["baton", "--require-identity", "--identity-secret", &secret]);
        assert!(both.refusal().is_none());
        assert!(!format!("{both:?}").contains(&secret));
    }

    #[test]
    fn malformed_business_hours_stop_the_server_naming_the_flag_and_the_form() {
        let err = Config::try_parse_from(["baton", "--business-hours", "weekdays 9 to 5"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--business-hours"), "{err}");
        assert!(err.contains("Mon-Fri 08:00-17:00 Asia/Jakarta"), "{err}");
        let ok = Config::parse_from([
            "baton",
            "--business-hours",
            "Mon-Fri 08:00-17:00 Asia/Jakarta",
        ]);
        assert!(ok.business_hours.is_some());
        assert_eq!(
            Config::defaults().routing().reply_timeout,
            Some(std::time::Duration::from_secs(300))
        );
        let off = Config::parse_from(["baton", "--reply-timeout-secs", "0"]);
        assert_eq!(off.routing().reply_timeout, None);
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let config = Config::parse_from(["baton", "--trusted-proxies", "10.0.0.0/8,127.0.0.1"]);
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(
            config.trusted_proxies[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap())
        );
        assert!(Config::try_parse_from(["baton", "--trusted-proxies", "proxy.local"]).is_err());
    }

    #[test]
    fn widget_origins_are_origins_and_a_malformed_one_stops_the_server() {
        let config = Config::parse_from([
            "baton",
            "--widget-origins",
            "https://Shop.Example,http://127.0.0.1:8080/",
        ]);
        assert_eq!(
            config.widget_origins,
            ["https://shop.example", "http://127.0.0.1:8080"]
        );
        assert!(Config::defaults().widget_origins.is_empty());
        let refused =
            Config::try_parse_from(["baton", "--widget-origins", "https://*.shop.example"])
                .unwrap_err()
                .to_string();
        assert!(refused.contains("--widget-origins"), "{refused}");
        assert!(refused.contains("is not an origin"), "{refused}");
    }
}
