//! `cargo xtask bench`: Baton measured on this machine, beside a bare broadcast server.
//!
//! The servers run as child processes on 127.0.0.1 (so their memory can be read from
//! `/proc`); this process is the load generator. Every figure goes to the table printed at
//! the end and to `bench/results/bench.json`.
//!
//! Settings (environment, with defaults):
//! - `BENCH_CONVERSATIONS` (200): conversations with a live customer socket in the load run.
//! - `BENCH_AGENTS` (4): agents with a dashboard socket; each owns a share of the conversations.
//! - `BENCH_RATE` (1000): customer messages per second in the fixed-rate run.
//! - `BENCH_SECONDS` (10): length of the fixed-rate run and of the saturation run.
//! - `BENCH_SOCKETS` (10000): idle sockets opened for the capacity run.
//! - `BENCH_SOAK_MINUTES` (20) and `BENCH_SOAK_RATE` (500): the soak's length and rate
//!   (0 minutes: no soak).
//! - `BENCH_ONLY` (all): a comma-separated subset of
//!   `load,handoff,postgres,queue,web,capacity,bare,soak,analytics` (`postgres` runs the
//!   load and hand-offs again on PostgreSQL, `BENCH_POSTGRES`, by default the local one).

mod analytics;
mod baseline;
mod capacity;
mod child;
mod handoff;
mod load;
mod queue;
mod report;
mod target;
mod web;

use std::path::PathBuf;
use std::time::Duration;

use report::Report;

/// What one run measures.
#[derive(Debug, Clone)]
pub struct Settings {
    pub conversations: usize,
    pub agents: usize,
    pub rate: u32,
    pub run_for: Duration,
    pub sockets: usize,
    pub soak_minutes: u32,
    pub soak_rate: u32,
    only: Option<Vec<String>>,
}

impl Settings {
    fn from_env() -> Self {
        fn read<T: std::str::FromStr>(name: &str, default: T) -> T {
            match std::env::var(name) {
                Ok(value) => value
                    .parse()
                    .unwrap_or_else(|_| panic!("{name} must be a number, not `{value}`")),
                Err(_) => default,
            }
        }
        Self {
            conversations: read("BENCH_CONVERSATIONS", 200),
            agents: read("BENCH_AGENTS", 4),
            rate: read("BENCH_RATE", 1_000),
            run_for: Duration::from_secs(read("BENCH_SECONDS", 10)),
            sockets: read("BENCH_SOCKETS", 10_000),
            soak_minutes: read("BENCH_SOAK_MINUTES", 20),
            soak_rate: read("BENCH_SOAK_RATE", 500),
            only: std::env::var("BENCH_ONLY")
                .ok()
                .map(|list| list.split(',').map(|s| s.trim().to_owned()).collect()),
        }
    }

    /// Whether the part `name` runs.
    pub fn runs(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| o == name))
    }
}

/// The systems of the PostgreSQL runs, as the report names them.
pub const ON_POSTGRES: &str = "Baton on PostgreSQL";
pub const TWO_NODES: &str = "Baton, two nodes on PostgreSQL";

/// The same load and hand-offs on PostgreSQL: one node, then two nodes on one database
/// with customers on one and agents on the other (every message crosses by `NOTIFY`).
async fn postgres(report: &mut Report, settings: &Settings) {
    let base = std::env::var("BENCH_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let Some(url) = fresh_schema(&base).await else {
        report.note(format!("PostgreSQL: not reachable at {base}, skipped"));
        return;
    };
    let node = child::Server::baton_with(&[("DATABASE_URL", &url)]).await;
    report.note(format!(
        "Baton on PostgreSQL ({base}, a fresh schema), idle RSS {:.1} MB",
        node.rss_mb()
    ));
    let target = target::Target::baton(&node);
    load::run(report, ON_POSTGRES, &target, settings, || {
        node.cpu_seconds()
    })
    .await;
    handoff::run(report, ON_POSTGRES, &target).await;
    node.stop();

    let Some(url) = fresh_schema(&base).await else {
        return;
    };
    let customers = child::Server::baton_with(&[("DATABASE_URL", &url)]).await;
    let agents = child::Server::baton_with(&[("DATABASE_URL", &url)]).await;
    let target = target::Target::baton_nodes(&customers, &agents);
    load::run(report, TWO_NODES, &target, settings, || {
        customers.cpu_seconds() + agents.cpu_seconds()
    })
    .await;
    customers.stop();
    agents.stop();
}

/// A new schema in the database at `base`, and a URL whose connections use it.
async fn fresh_schema(base: &str) -> Option<String> {
    let schema = format!(
        "bench_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
    );
    server::store::postgres::PgStore::url_in_schema(base, &schema)
        .await
        .ok()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() {
    // The bare baseline server is this same program, started again in this role.
    if std::env::var_os(baseline::ROLE).is_some() {
        baseline::serve_from_env();
        return;
    }
    let settings = Settings::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(run(settings));
    report.print();
    let path = report.write().expect("results written");
    println!("written to {}", path.display());
}

async fn run(settings: Settings) -> Report {
    let mut report = Report::new(&settings);
    println!("{}", report.heading());

    if settings.runs("web") {
        web::bundle_sizes(&mut report);
    }

    let baton = child::Server::baton().await;
    report.note(format!(
        "Baton: SQLite (WAL, synchronous=FULL), idle RSS {:.1} MB",
        baton.rss_mb()
    ));
    let target = target::Target::baton(&baton);
    if settings.runs("load") {
        load::run(&mut report, "Baton", &target, &settings, || {
            baton.cpu_seconds()
        })
        .await;
    }
    if settings.runs("handoff") {
        handoff::run(&mut report, "Baton", &target).await;
    }
    if settings.runs("web") {
        web::time_to_interactive(&mut report, &baton).await;
    }
    baton.stop();
    if settings.runs("postgres") {
        postgres(&mut report, &settings).await;
    }
    if settings.runs("queue") {
        queue::run(&mut report).await;
    }
    if settings.runs("capacity") {
        // A fresh process: memory freed by the runs above would hide what sockets cost.
        let baton = child::Server::baton().await;
        let target = target::Target::baton(&baton);
        capacity::run(&mut report, "Baton", &target, &baton, &settings).await;
        baton.stop();
    }

    if settings.runs("bare") {
        let bare = child::Server::baseline().await;
        let target = target::Target::baseline(&bare);
        load::run(&mut report, "bare", &target, &settings, || {
            bare.cpu_seconds()
        })
        .await;
        bare.stop();
        if settings.runs("capacity") {
            let bare = child::Server::baseline().await;
            let target = target::Target::baseline(&bare);
            capacity::run(&mut report, "bare", &target, &bare, &settings).await;
            bare.stop();
        }
    }

    if settings.runs("soak") && settings.soak_minutes > 0 {
        // A fresh process, so the curve starts from an idle server.
        let baton = child::Server::baton().await;
        let target = target::Target::baton(&baton);
        let curve = load::soak(
            &target,
            &settings,
            settings.soak_minutes,
            settings.soak_rate,
            || baton.rss_mb(),
            || baton.cpu_seconds(),
        )
        .await;
        report.soak(&curve, settings.soak_rate);
        baton.stop();
    }

    if settings.runs("analytics") {
        analytics::run(&mut report).await;
    }
    handoff::embedded_responder(&mut report);
    report.ratios();
    report
}
