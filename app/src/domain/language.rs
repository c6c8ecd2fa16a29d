//! The customer's language: chosen from the browser (`Accept-Language`, `navigator.language`)
//! or on the page, stored with the conversation, and the language of every notice Baton
//! sends them. The words live in `locales/*.json`, one file per language.

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

pub use crate::i18n::Locale;
use leptos_i18n::Locale as _;

/// The language an `Accept-Language` header prefers among ours, by its q-values ("id-ID,
/// id;q=0.9, en;q=0.8" → Indonesian); English when it names none of ours.
pub fn negotiate(accept_language: &str) -> Locale {
    let mut ranges: Vec<(f32, &str)> = accept_language
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let tag = parts.next().filter(|tag| !tag.is_empty() && *tag != "*")?;
            let quality = parts
                .find_map(|p| p.strip_prefix("q="))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
            (quality > 0.0).then_some((quality, tag))
        })
        .collect();
    // Stable: equal qualities keep the header's order.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges
        .into_iter()
        .find_map(|(_, tag)| from_tag(tag))
        .unwrap_or_default()
}

/// The language of exactly this code ("en", "id"), for input that must name one of ours.
pub fn from_code(code: &str) -> Result<Locale, String> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|locale| locale.as_str() == code)
        .ok_or_else(|| {
            let codes: Vec<&str> = Locale::get_all().iter().map(|l| l.as_str()).collect();
            format!(
                "There is no language `{code}`; the languages are {}",
                codes.join(", ")
            )
        })
}

/// The language a BCP 47 tag names, if it is one of ours ("id-ID", "in" (its old code),
/// "en-GB").
pub fn from_tag(tag: &str) -> Option<Locale> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    let primary = if primary == "in" { "id" } else { &primary };
    Locale::get_all()
        .iter()
        .copied()
        .find(|locale| locale.as_str() == primary)
}

impl Locale {
    /// The language's code, as stored and sent: "en", "id".
    pub fn code(self) -> &'static str {
        self.as_str()
    }
}

impl utoipa::PartialSchema for Locale {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Locale::get_all().iter().map(|l| l.as_str())))
            .description(Some("A language: `en` English, `id` Indonesian"))
            .into()
    }
}

impl utoipa::ToSchema for Locale {}

/// When a closed team opens again, for the customer to read in their language: "today at
/// 08:00 WIB", "besok pukul 08.00 WIB".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reopening {
    /// Days from today (0 today, 1 tomorrow).
    pub in_days: u16,
    /// The day of the week, 0 Monday … 6 Sunday.
    pub weekday: u8,
    pub hour: u8,
    pub minute: u8,
    /// The time zone's abbreviation ("WIB").
    pub zone: String,
}

impl Reopening {
    /// "Monday at 08:00 WIB", "hari Senin pukul 08.00 WIB".
    pub fn phrase(&self, locale: Locale) -> String {
        use crate::i18n::td_string;
        let day = match (self.in_days, self.weekday) {
            (0, _) => td_string!(locale, reopening.today).to_string(),
            (1, _) => td_string!(locale, reopening.tomorrow).to_string(),
            (_, 0) => td_string!(locale, reopening.monday).to_string(),
            (_, 1) => td_string!(locale, reopening.tuesday).to_string(),
            (_, 2) => td_string!(locale, reopening.wednesday).to_string(),
            (_, 3) => td_string!(locale, reopening.thursday).to_string(),
            (_, 4) => td_string!(locale, reopening.friday).to_string(),
            (_, 5) => td_string!(locale, reopening.saturday).to_string(),
            _ => td_string!(locale, reopening.sunday).to_string(),
        };
        // Indonesian writes times with a dot (08.00).
        let separator = if locale == Locale::id { '.' } else { ':' };
        let time = format!("{:02}{separator}{:02}", self.hour, self.minute);
        td_string!(locale, reopening.at, day, time, zone = self.zone.as_str()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_header_picks_the_best_of_our_languages() {
        assert_eq!(negotiate("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"), Locale::id);
        assert_eq!(negotiate("en-GB,en;q=0.9,id;q=0.8"), Locale::en);
        assert_eq!(negotiate("fr-FR,fr;q=0.9,id;q=0.5"), Locale::id);
        assert_eq!(negotiate("en;q=0.2, id;q=0.8"), Locale::id);
        assert_eq!(negotiate("in"), Locale::id);
        assert_eq!(negotiate("de, fr"), Locale::en);
        assert_eq!(negotiate(""), Locale::en);
        assert_eq!(negotiate("id;q=0, en;q=0.1"), Locale::en);
        assert_eq!(negotiate(";;, ,q=x"), Locale::en);
    }

    #[test]
    fn a_language_serialises_as_its_code() {
        assert_eq!(serde_json::to_string(&Locale::id).unwrap(), "\"id\"");
        assert_eq!(
            serde_json::from_str::<Locale>("\"en\"").unwrap(),
            Locale::en
        );
        assert_eq!(from_code("id"), Ok(Locale::id));
        assert!(from_code("fr")
            .unwrap_err()
            .contains("the languages are en, id"));
        assert!(from_code("ID").is_err());
    }

    /// Every key of `value` (nested objects joined with dots), with its text.
    fn flatten(prefix: &str, value: &serde_json::Value, into: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    flatten(&path, inner, into);
                }
            }
            other => into.push((prefix.to_owned(), other.as_str().unwrap_or("").to_owned())),
        }
    }

    /// The `{{ name }}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<String> {
        let mut names: Vec<String> = text
            .split("{{")
            .skip(1)
            .filter_map(|rest| {
                rest.split_once("}}")
                    .map(|(name, _)| name.trim().to_owned())
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_language_file_has_every_key_with_the_same_placeholders() {
        let files = [
            ("en", include_str!("../../locales/en.json")),
            ("id", include_str!("../../locales/id.json")),
        ];
        assert_eq!(
            files.len(),
            Locale::get_all().len(),
            "a locale file is not checked"
        );
        let keys = |raw: &str| {
            let mut keys = Vec::new();
            flatten("", &serde_json::from_str(raw).unwrap(), &mut keys);
            keys.sort();
            keys
        };
        let english = keys(files[0].1);
        for (code, raw) in &files[1..] {
            let other = keys(raw);
            let names =
                |list: &[(String, String)]| list.iter().map(|k| k.0.clone()).collect::<Vec<_>>();
            assert_eq!(
                names(&other),
                names(&english),
                "{code}.json has other keys than en.json"
            );
            for ((key, en), (_, text)) in english.iter().zip(&other) {
                assert!(!text.trim().is_empty(), "{code}.json: {key} is empty");
                assert_eq!(placeholders(text), placeholders(en), "{code}.json: {key}");
            }
        }
    }

    #[test]
    fn no_key_is_written_twice_in_a_language_file() {
        // A key written twice would silently take the second text for both uses.
        for (code, raw) in [
            ("en", include_str!("../../locales/en.json")),
            ("id", include_str!("../../locales/id.json")),
        ] {
            let mut seen = std::collections::HashSet::new();
            let mut path: Vec<&str> = Vec::new();
            for line in raw.lines() {
                let trimmed = line.trim_start();
                let depth = (line.len() - trimmed.len()) / 2;
                let Some((key, _)) = trimmed
                    .strip_prefix('"')
                    .and_then(|rest| rest.split_once("\":"))
                else {
                    continue;
                };
                path.truncate(depth.saturating_sub(1));
                let full = format!("{}.{key}", path.join("."));
                assert!(seen.insert(full.clone()), "{code}.json: {full} twice");
                if trimmed.ends_with('{') {
                    path.push(key);
                }
            }
        }
    }

    #[test]
    fn the_reopening_reads_in_each_language() {
        let monday = Reopening {
            in_days: 3,
            weekday: 0,
            hour: 8,
            minute: 0,
            zone: "WIB".into(),
        };
        assert_eq!(monday.phrase(Locale::en), "Monday at 08:00 WIB");
        assert_eq!(monday.phrase(Locale::id), "hari Senin pukul 08.00 WIB");
        let tomorrow = Reopening {
            in_days: 1,
            ..monday
        };
        assert_eq!(tomorrow.phrase(Locale::en), "tomorrow at 08:00 WIB");
        assert_eq!(tomorrow.phrase(Locale::id), "besok pukul 08.00 WIB");
    }
}
