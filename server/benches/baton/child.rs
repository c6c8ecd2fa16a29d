//! The servers under test, each in its own process on a free port of 127.0.0.1.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process the bench started; it is stopped when dropped.
pub struct Server {
    pub url: String,
    process: Child,
    _data: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

impl Server {
    /// The release `baton` binary on a fresh SQLite file, rate limits off (the load comes
    /// from one address on purpose), the built SPA if there is one.
    pub async fn baton() -> Self {
        Self::baton_with(&[]).await
    }

    /// [`Server::baton`] with more settings (environment variables).
    pub async fn baton_with(settings: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let root = crate::root();
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            .env("BATON_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", data.path().join("bench.db").display()),
            )
            .env("BATON_DIST", root.join("dist"))
            .env("BATON_KB_DIR", root.join("kb"))
            .env("BATON_LIMIT_START_PER_ADDRESS", "0")
            .env("BATON_LIMIT_SEND_PER_CONVERSATION", "0")
            .env("BATON_LIMIT_SIGN_IN_PER_ADDRESS", "0")
            .env("BATON_LIMIT_SIGN_IN_FAILURES", "0")
            .env("BATON_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT", "0")
            .env("BATON_LIMIT_HANDSHAKE_PER_ADDRESS", "0")
            .env("BATON_MAX_SOCKETS_PER_ADDRESS", "0")
            .env("BATON_SEED_DEMO", "true")
            .env("RUST_LOG", "warn");
        for (name, value) in settings {
            command.env(name, value);
        }
        Self::start(command, port, data).await
    }

    /// The bare broadcast server: this program again, in the baseline role.
    pub async fn baseline() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let mut command = Command::new(std::env::current_exe().expect("own path"));
        command
            .env(crate::baseline::ROLE, format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn");
        Self::start(command, port, data).await
    }

    async fn start(mut command: Command, port: u16, data: tempfile::TempDir) -> Self {
        let process = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("server process starts");
        let url = format!("http://127.0.0.1:{port}");
        let server = Self {
            url,
            process,
            _data: data,
        };
        server.wait_until_ready().await;
        server
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        loop {
            if let Ok(response) = client.get(format!("{}/health", self.url)).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{} did not answer /health within 60 s",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The socket URL for `path`.
    pub fn ws(&self, path: &str) -> String {
        format!("{}{path}", self.url.replacen("http://", "ws://", 1))
    }

    /// The process's resident memory, in bytes.
    pub fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id()))
            .expect("the server process is running");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .expect("VmRSS in /proc/<pid>/status")
    }

    pub fn rss_mb(&self) -> f64 {
        self.rss_bytes() as f64 / 1e6
    }

    /// CPU time the process has used so far (user + system), in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.process.id()))
            .expect("the server process is running");
        // Fields after the command name (which is in parentheses): utime is the 12th.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 =
            fields[11].parse::<f64>().unwrap_or(0.0) + fields[12].parse::<f64>().unwrap_or(0.0);
        ticks / 100.0
    }

    pub fn stop(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
    }
}
