//! First-run data: demo agents and the sample knowledge base.

use std::path::Path;

use app::backend::auth::hash_password;
use app::backend::{Store, StoreError};
use app::domain::{Agent, AgentId, Availability, DisplayName, Email, Role, Timestamp};

use crate::ai::kb::{parse_markdown, Article};
use crate::store::Backend;

/// The demo agents' shared password.
pub const DEMO_PASSWORD: &str = "baton-demo";

/// The demo team: (name, e-mail, role).
pub const DEMO_AGENTS: &[(&str, &str, Role)] = &[
    ("Ana Putri", "ana@baton.dev", Role::Supervisor),
    ("Budi Santoso", "budi@baton.dev", Role::Agent),
    ("Citra Dewi", "citra@baton.dev", Role::Agent),
    ("Dimas Admin", "admin@baton.dev", Role::Admin),
];

/// Creates the demo agents if there are no agents at all. Returns whether it did.
pub async fn demo_agents(store: &dyn Store, now: Timestamp) -> Result<bool, StoreError> {
    if store.agent_count().await? > 0 {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD)
        .map_err(|_| StoreError::Backend("could not hash the demo password".into()))?;
    for (name, email, role) in DEMO_AGENTS {
        let agent = Agent {
            id: AgentId::new(),
            email: Email::parse(email).expect("demo e-mail is valid"),
            display_name: DisplayName::parse(name).expect("demo name is valid"),
            role: *role,
            status: Availability::Online,
            max_chats: 5,
        };
        store.create_agent(&agent, &hash, now).await?;
    }
    Ok(true)
}

/// Reads every `*.md` file of `dir` into articles, in file-name order.
pub fn read_kb_dir(dir: &Path) -> std::io::Result<Vec<Article>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    files.sort();
    let mut articles = Vec::new();
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        articles.extend(parse_markdown(&stem, &std::fs::read_to_string(&path)?));
    }
    Ok(articles)
}

/// Loads the knowledge base from `dir` into the store if the store has none yet.
/// Returns how many articles were loaded (0 when the store already had some).
pub async fn knowledge_base(
    store: &Backend,
    dir: &Path,
    now: Timestamp,
) -> Result<usize, StoreError> {
    if !store.kb_articles().await?.is_empty() {
        return Ok(0);
    }
    let articles = match read_kb_dir(dir) {
        Ok(articles) => articles,
        Err(err) => {
            tracing::warn!(dir = %dir.display(), %err, "no knowledge base loaded");
            return Ok(0);
        }
    };
    for article in &articles {
        store
            .put_kb_article(&article.slug, &article.title, &article.body, now)
            .await?;
    }
    Ok(articles.len())
}

/// Creates an admin with a chosen password (`baton admin create`): the first account of a
/// real deployment, which then adds the team on `/admin`.
pub async fn create_admin(
    store: &dyn Store,
    email: &str,
    name: &str,
    password: &str,
    now: Timestamp,
) -> Result<Agent, String> {
    let email = Email::parse(email).map_err(|err| err.to_string())?;
    let display_name = DisplayName::parse(name).map_err(|err| err.to_string())?;
    let password =
        app::backend::admin::checked_password(password).map_err(|err| err.to_string())?;
    let hash = hash_password(password).map_err(|err| err.to_string())?;
    let agent = Agent {
        id: AgentId::new(),
        email,
        display_name,
        role: Role::Admin,
        status: Availability::Offline,
        max_chats: 5,
    };
    match store.create_agent(&agent, &hash, now).await {
        Ok(()) => Ok(agent),
        Err(StoreError::Duplicate(_)) => Err(format!("{} already has an account", agent.email)),
        Err(err) => Err(err.to_string()),
    }
}
