//! The results: printed as a table, written as JSON, and held against the targets.

use std::path::PathBuf;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{json, Value};

use crate::load::Outcome;
use crate::Settings;

/// A measured row, for the JSON file.
pub type Row = Value;

pub struct Report {
    settings: Value,
    rows: Vec<Row>,
    targets: Vec<(String, bool, String)>,
}

/// A latency histogram in microseconds, up to one minute, 3 significant figures.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds are valid")
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| {
                    l.strip_prefix("model name")
                        .and_then(|r| r.split(':').nth(1))
                })
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {memory}")
}

impl Report {
    pub fn new(settings: &Settings) -> Self {
        Self {
            settings: json!({
                "machine": machine(),
                "conversations": settings.conversations,
                "agents": settings.agents,
                "rate": settings.rate,
                "seconds": settings.run_for.as_secs(),
                "sockets": settings.sockets,
            }),
            rows: Vec::new(),
            targets: Vec::new(),
        }
    }

    pub fn heading(&self) -> String {
        format!(
            "Baton benchmark on {}: {} conversations, {} agents, {} msg/s for {} s, {} idle sockets",
            self.settings["machine"].as_str().unwrap_or_default(),
            self.settings["conversations"],
            self.settings["agents"],
            self.settings["rate"],
            self.settings["seconds"],
            self.settings["sockets"],
        )
    }

    fn push(&mut self, line: String, row: Row) {
        println!("{line}");
        self.rows.push(row);
    }

    pub fn note(&mut self, text: String) {
        self.push(format!("  {text}"), json!({ "note": text }));
    }

    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r["name"] == name)
    }

    pub fn bundle(&mut self, kind: &str, raw: usize, gzip: usize, brotli: usize) {
        let name = format!("bundle {kind}");
        self.push(
            format!(
                "  {name:<58} raw {:>7.1} KB   gzip {:>6.1} KB   brotli {:>6.1} KB",
                raw as f64 / 1000.0,
                gzip as f64 / 1000.0,
                brotli as f64 / 1000.0
            ),
            json!({ "name": name, "raw_bytes": raw, "gzip_bytes": gzip, "brotli_bytes": brotli }),
        );
        let gzip_kb = format!("{:.0} KB", gzip as f64 / 1000.0);
        match kind {
            "wasm" => self.target("dashboard WASM under 250 KB gzip", gzip < 250_000, gzip_kb),
            "customer wasm" => {
                self.target("customer WASM under 150 KB gzip", gzip < 150_000, gzip_kb)
            }
            _ => {}
        }
    }

    pub fn interactive(&mut self, name: &str, rounds: &[f64]) {
        let mut sorted = rounds.to_vec();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let median = sorted[sorted.len() / 2];
        let max = sorted[sorted.len() - 1];
        self.push(
            format!(
                "  {name:<58} median {median:>6.0} ms   max {max:>6.0} ms   ({} loads)",
                rounds.len()
            ),
            json!({ "name": name, "median_ms": median, "max_ms": max, "rounds_ms": rounds }),
        );
        if name.starts_with("customer can type") {
            self.target(
                "customer can type within 3 s on slow 4G (median)",
                median < 3_000.0,
                format!("{median:.0} ms"),
            );
        }
    }

    pub fn load(&mut self, system: &str, phase: &str, settings: &Settings, outcome: &Outcome) {
        let h = &outcome.latencies;
        let name = format!("{system}: customer → owning agent, {phase}");
        let persisted = outcome
            .persisted
            .map(|p| format!("   stored {p}"))
            .unwrap_or_default();
        self.push(
            format!(
                "  {name:<58} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  {:>6.0} msg/s\n  {:<58} acked {} of {}, delivered {}, lost {}, duplicated {}, out of order {}{persisted}; server CPU {:.0}%",
                ms(h.value_at_quantile(0.50)),
                ms(h.value_at_quantile(0.95)),
                ms(h.value_at_quantile(0.99)),
                ms(h.max()),
                outcome.acked_per_s(),
                "",
                outcome.acked,
                outcome.sent,
                outcome.delivered,
                outcome.lost,
                outcome.duplicated,
                outcome.out_of_order,
                outcome.server_cpu / outcome.wall.as_secs_f64() * 100.0,
            ),
            json!({
                "name": name,
                "system": system,
                "phase": phase,
                "conversations": settings.conversations,
                "agents": settings.agents,
                "seconds": outcome.wall.as_secs_f64(),
                "sent": outcome.sent,
                "acked": outcome.acked,
                "failed": outcome.failed,
                "delivered": outcome.delivered,
                "lost": outcome.lost,
                "duplicated": outcome.duplicated,
                "out_of_order": outcome.out_of_order,
                "persisted": outcome.persisted,
                "messages_per_s": outcome.acked_per_s(),
                "p50_ms": ms(h.value_at_quantile(0.50)),
                "p95_ms": ms(h.value_at_quantile(0.95)),
                "p99_ms": ms(h.value_at_quantile(0.99)),
                "max_ms": ms(h.max()),
                "server_cpu_percent": outcome.server_cpu / outcome.wall.as_secs_f64() * 100.0,
            }),
        );
        if !system.starts_with("Baton") {
            return;
        }
        let intact = outcome.lost == 0
            && outcome.duplicated == 0
            && outcome.out_of_order == 0
            && outcome.failed == 0
            && outcome.persisted.is_none_or(|p| p == outcome.acked);
        self.target(
            &format!("{system}, {phase}: every message delivered once, in order, stored"),
            intact,
            format!(
                "lost {}, duplicated {}, out of order {}",
                outcome.lost, outcome.duplicated, outcome.out_of_order
            ),
        );
        if phase.ends_with("offered") {
            let rate_ok = outcome.acked_per_s() >= f64::from(settings.rate) * 0.95;
            self.target(
                &format!("{system}: {} msg/s persisted and delivered", settings.rate),
                rate_ok,
                format!("{:.0} msg/s", outcome.acked_per_s()),
            );
            self.target(
                &format!("{system}: delivery p99 under 25 ms"),
                h.value_at_quantile(0.99) < 25_000,
                format!("{:.2} ms", ms(h.value_at_quantile(0.99))),
            );
            self.target(
                &format!("{system}: delivery p50 under 2 ms"),
                h.value_at_quantile(0.50) < 2_000,
                format!("{:.2} ms", ms(h.value_at_quantile(0.50))),
            );
            // Every server process of the system, user and system time.
            let per_thousand = outcome.server_cpu / outcome.acked.max(1) as f64 * 1000.0;
            self.target(
                &format!("{system}: server CPU per 1,000 messages at most 0.35 s"),
                per_thousand <= 0.35,
                format!("{per_thousand:.3} s"),
            );
        }
    }

    pub fn latency(
        &mut self,
        system: &str,
        what: &str,
        h: &Histogram<u64>,
        wall: Duration,
        note: &str,
    ) {
        let name = format!("{system}: {what}");
        let line = format!(
            "  {name:<58} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  {:>6.0} calls/s{}",
            ms(h.value_at_quantile(0.50)),
            ms(h.value_at_quantile(0.95)),
            ms(h.value_at_quantile(0.99)),
            ms(h.max()),
            h.len() as f64 / wall.as_secs_f64(),
            if note.is_empty() { String::new() } else { format!("\n  {:<58} {note}", "") },
        );
        self.push(
            line,
            json!({
                "name": name,
                "calls": h.len(),
                "p50_ms": ms(h.value_at_quantile(0.50)),
                "p95_ms": ms(h.value_at_quantile(0.95)),
                "p99_ms": ms(h.value_at_quantile(0.99)),
                "max_ms": ms(h.max()),
                "calls_per_s": h.len() as f64 / wall.as_secs_f64(),
                "note": note,
            }),
        );
        if what.contains("100 concurrent") {
            self.target(
                &format!("{system}: takeover p99 under 15 ms at 100 concurrent callers"),
                h.value_at_quantile(0.99) < 15_000,
                format!("{:.2} ms", ms(h.value_at_quantile(0.99))),
            );
        }
        if what.contains("storm") {
            self.target(
                &format!("{system}: takeover storm p99 under 50 ms"),
                h.value_at_quantile(0.99) < 50_000,
                format!("{:.2} ms", ms(h.value_at_quantile(0.99))),
            );
        }
    }

    /// The soak's curve: per minute p99 and RSS, and whether anything was lost.
    pub fn soak(&mut self, curve: &[crate::load::Minute], rate: u32) {
        let Some((first, last)) = curve.first().zip(curve.last()) else {
            return;
        };
        let p99 = |m: &crate::load::Minute| ms(m.outcome.latencies.value_at_quantile(0.99));
        let (lost, duplicated, out_of_order): (u64, u64, u64) =
            curve.iter().fold((0, 0, 0), |t, m| {
                (
                    t.0 + m.outcome.lost,
                    t.1 + m.outcome.duplicated,
                    t.2 + m.outcome.out_of_order,
                )
            });
        let acked: u64 = curve.iter().map(|m| m.outcome.acked).sum();
        let p99s: Vec<f64> = curve.iter().map(p99).collect();
        let rss: Vec<f64> = curve.iter().map(|m| m.rss_mb).collect();
        let (min_p99, max_p99) = p99s
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(*p), hi.max(*p)));
        let line = format!(
            "  Baton: soak, {} min at {rate} msg/s: {acked} acknowledged, lost {lost}, duplicated {duplicated}, out of order {out_of_order}\n  \
             {:<58} RSS {:.1} → {:.1} MB; p99 per minute {:.1}–{:.1} ms (first {:.1}, last {:.1})\n  {:<58} RSS by minute: {}\n  {:<58} p99 by minute: {}",
            curve.len(),
            "",
            first.rss_mb,
            last.rss_mb,
            min_p99,
            max_p99,
            p99(first),
            p99(last),
            "",
            rss.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(" "),
            "",
            p99s.iter().map(|p| format!("{p:.0}")).collect::<Vec<_>>().join(" "),
        );
        self.push(
            line,
            json!({
                "name": "Baton: soak",
                "minutes": curve.len(),
                "rate": rate,
                "acknowledged": acked,
                "lost": lost,
                "duplicated": duplicated,
                "out_of_order": out_of_order,
                "rss_mb_by_minute": rss,
                "p99_ms_by_minute": p99s,
            }),
        );
    }

    pub fn latency_ns(&mut self, system: &str, what: &str, h: &Histogram<u64>, wall: Duration) {
        let name = format!("{system}: {what}");
        let us = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        self.push(
            format!(
                "  {name:<58} p50 {:>6.1} µs  p99 {:>6.1} µs  max {:>7.1} µs  {:>8.0} calls/s",
                us(0.5),
                us(0.99),
                h.max() as f64 / 1000.0,
                h.len() as f64 / wall.as_secs_f64()
            ),
            json!({ "name": name, "calls": h.len(), "p50_us": us(0.5), "p99_us": us(0.99) }),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub fn capacity(
        &mut self,
        system: &str,
        open: usize,
        answered: usize,
        refused: usize,
        before: u64,
        after: u64,
        per_socket: f64,
        ramp: Duration,
    ) {
        let name = format!("{system}: idle customer sockets");
        self.push(
            format!(
                "  {name:<58} {open} open, {answered} answered a ping, {refused} refused; RSS {:.1} → {:.1} MB, {:.1} KB per socket; opened in {:.1} s",
                before as f64 / 1e6,
                after as f64 / 1e6,
                per_socket / 1000.0,
                ramp.as_secs_f64()
            ),
            json!({
                "name": name,
                "open": open,
                "answered": answered,
                "refused": refused,
                "rss_before_bytes": before,
                "rss_after_bytes": after,
                "bytes_per_socket": per_socket,
                "ramp_seconds": ramp.as_secs_f64(),
            }),
        );
        if system == "Baton" {
            self.target(
                &format!("{open} concurrent sockets under 300 MB RSS"),
                after < 300_000_000 && answered == open && open >= 10_000,
                format!(
                    "{:.0} MB with {answered} of {open} answering",
                    after as f64 / 1e6
                ),
            );
        }
    }

    /// Baton against the bare baseline, from rows already measured.
    pub fn ratios(&mut self) {
        let rate = |r: Option<&Row>| r.and_then(|r| r["messages_per_s"].as_f64());
        // What reached an agent, not what was acknowledged: the bare server drops messages
        // when its broadcast channel overruns (Baton delivers everything it acknowledges).
        let delivered = |r: Option<&Row>| {
            r.and_then(|r| Some(r["delivered"].as_f64()? / r["seconds"].as_f64()?))
        };
        let baton = rate(self.row("Baton: customer → owning agent, saturation (back-to-back)"));
        let bare = delivered(self.row("bare: customer → owning agent, saturation (back-to-back)"));
        if let (Some(baton), Some(bare)) = (baton, bare) {
            let ratio = baton / bare;
            self.push(
                format!("  {:<58} {ratio:.2} × the bare baseline's ({baton:.0} against {bare:.0} msg/s delivered)", "Baton throughput"),
                json!({ "name": "throughput ratio to bare baseline", "ratio": ratio }),
            );
            self.target(
                "throughput at least half the bare baseline's",
                ratio >= 0.5,
                format!("{ratio:.2}"),
            );
        }
        // PostgreSQL (one node, two nodes) against SQLite, saturation.
        let Some(sqlite) = baton else {
            return;
        };
        for system in [crate::ON_POSTGRES, crate::TWO_NODES] {
            let name = format!("{system}: customer → owning agent, saturation (back-to-back)");
            if let Some(rate) = rate(self.row(&name)) {
                let ratio = rate / sqlite;
                self.push(
                    format!(
                        "  {:<58} {ratio:.2} × SQLite's ({rate:.0} against {sqlite:.0} msg/s)",
                        format!("{system} throughput")
                    ),
                    json!({ "name": format!("{system}: throughput ratio to SQLite"), "ratio": ratio }),
                );
            }
        }
    }

    fn target(&mut self, what: &str, met: bool, figure: String) {
        self.targets.push((what.to_owned(), met, figure));
    }

    pub fn print(&self) {
        println!("\nTargets");
        for (what, met, figure) in &self.targets {
            println!(
                "  [{}] {what}: {figure}",
                if *met { "met" } else { "missed" }
            );
        }
    }

    pub fn write(&self) -> std::io::Result<PathBuf> {
        let dir = crate::root().join("bench/results");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("bench.json");
        let targets: Vec<Value> = self
            .targets
            .iter()
            .map(|(what, met, figure)| json!({ "target": what, "met": met, "figure": figure }))
            .collect();
        let body = json!({ "settings": self.settings, "results": self.rows, "targets": targets });
        std::fs::write(&path, serde_json::to_string_pretty(&body).expect("json"))?;
        Ok(path)
    }
}
