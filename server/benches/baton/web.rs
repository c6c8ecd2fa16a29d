//! The browser side: the bundles' sizes, and the time until the dashboard is interactive and
//! until a customer on a slow phone network can type.

use std::io::Write;
use std::process::Command;

use crate::child::Server;
use crate::report::Report;

/// The built bundle in `dist/`: raw, gzip (level 9) and brotli (quality 11) bytes.
pub fn bundle_sizes(report: &mut Report) {
    let dist = crate::root().join("dist");
    let Ok(entries) = std::fs::read_dir(&dist) else {
        report.note("SPA bundle: dist/ is not built (cargo xtask bench builds it)".into());
        return;
    };
    // The whole SPA's files, then the customer's page's own (dist/customer/).
    let customer = std::fs::read_dir(dist.join("customer"))
        .into_iter()
        .flatten();
    let mut files: Vec<_> = entries
        .chain(customer)
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
            )
        })
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).expect("bundle file reads");
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&bytes).expect("gzip");
        let gzip = gzip.finish().expect("gzip").len();
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 11, 22);
            writer.write_all(&bytes).expect("brotli");
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let kind = if path.parent().is_some_and(|dir| dir.ends_with("customer")) {
            format!("customer {extension}")
        } else {
            extension.to_owned()
        };
        report.bundle(&kind, bytes.len(), gzip, brotli.len());
    }
}

/// Ten cold loads of `/agent` in headless Chromium (Playwright in `end2end/`), then ten of
/// `/chat` (the customer's own bundle) on an emulated slow 4G network.
pub async fn time_to_interactive(report: &mut Report, server: &Server) {
    let root = crate::root();
    if !root.join("dist").is_dir() || !root.join("end2end/node_modules/@playwright/test").is_dir() {
        report.note("time to interactive: skipped (needs dist/ and end2end/node_modules)".into());
        return;
    }
    let runs = [
        (
            "agent",
            "none",
            "dashboard interactive in headless Chromium (cold cache)",
        ),
        (
            "chat",
            "slow4g",
            "customer can type, slow 4G, headless Chromium (cold cache)",
        ),
    ];
    for (page, network, name) in runs {
        let output = Command::new("node")
            .arg(root.join("end2end/bench/interactive.mjs"))
            .arg(&server.url)
            .args(["10", page, network])
            .current_dir(root.join("end2end"))
            .output();
        let parsed = output
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
        let Some(rounds) = parsed.and_then(|v| {
            v["interactive_ms"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect::<Vec<_>>())
        }) else {
            report.note(format!("{name}: Chromium run failed"));
            continue;
        };
        report.interactive(name, &rounds);
    }
}
