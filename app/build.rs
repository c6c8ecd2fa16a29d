//! Compiles the translations (`locales/*.json`, listed in Cargo.toml's
//! `[package.metadata.leptos-i18n]`) into the typed `i18n` module: a missing key or a wrong
//! interpolation is a compile error. Interpolated text works outside views too
//! (`td_string!`), so the server writes the customer's notices from the same files.

use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::cfg_file::ConfigFile;
use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};
use leptos_i18n_parser::parse_locales::parse_locales;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=Cargo.toml");
    let mut dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"));
    let config_file = ConfigFile::new(&mut dir).unwrap_or_else(|err| panic!("Cargo.toml: {err}"));
    let mut config: Config = config_file.into();
    config.options = ParseOptions::default().interpolate_display(true);
    let parsed = parse_locales(Some(dir), config).unwrap_or_else(|err| panic!("locales: {err}"));
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, true)
        .unwrap_or_else(|err| panic!("locales: {err}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("run by cargo")).join("i18n.rs");
    std::fs::write(out, code.to_string()).expect("OUT_DIR is writable");
}
