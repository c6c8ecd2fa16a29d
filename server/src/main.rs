//! `baton`: starts Baton's server, or runs one of its commands. Configuration: `baton --help`.

use std::io::BufRead;

use clap::Parser;
use server::config::{AdminCommand, Command, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    server::telemetry::init(config.log_format);
    let outcome = match &config.command {
        None => server::run(config.clone(), shutdown_signal())
            .await
            .map_err(|err| err.to_string()),
        Some(Command::Admin {
            action: AdminCommand::Create { email, name },
        }) => create_admin(&config, email, name).await,
        Some(Command::Backup { file }) => backup(&config, file).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "Baton stopped");
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `baton admin create`: the password from `BATON_ADMIN_PASSWORD`, else standard input.
async fn create_admin(config: &Config, email: &str, name: &str) -> Result<(), String> {
    let password = match std::env::var("BATON_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("Password for {email} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|err| format!("could not read the password: {err}"))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let backend = server::store::Backend::open(&config.database_url)
        .await
        .map_err(|err| format!("the database failed: {err}"))?;
    let now = app::backend::Clock::now(&app::backend::SystemClock);
    let created =
        server::seed::create_admin(backend.store().as_ref(), email, name, &password, now).await;
    backend.close().await;
    let agent = created?;
    println!("Created admin {} <{}>.", agent.display_name, agent.email);
    Ok(())
}

/// `baton backup FILE`: a consistent online copy of the SQLite database.
async fn backup(config: &Config, file: &std::path::Path) -> Result<(), String> {
    let started = std::time::Instant::now();
    server::backup::sqlite(&config.database_url, file)
        .await
        .map_err(|err| format!("backup failed: {err}"))?;
    println!(
        "Backed up {} to {} in {:.1?}.",
        config.database_url,
        file.display(),
        started.elapsed()
    );
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
