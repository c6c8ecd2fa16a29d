//! Canned replies: texts an agent puts into the reply box with a shortcut ("/sorry"), each
//! in one of the customers' languages, with `{customer_name}` and `{agent_name}` filled in
//! when it is inserted. Supervisors and admins write, change and retire them; a retired reply
//! is no longer offered, and its shortcut is free again.

use serde::{Deserialize, Serialize};

use super::{Locale, Timestamp, MAX_BODY_CHARS};

/// The longest title.
pub const MAX_TITLE_CHARS: usize = 80;
/// The longest shortcut, its "/" not counted.
pub const MAX_SHORTCUT_CHARS: usize = 32;
/// The names a reply's text may use in braces, each filled in when it is inserted.
pub const PLACEHOLDERS: &[&str] = &["customer_name", "agent_name"];

/// A canned reply, as agents pick it and supervisors manage it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CannedReply {
    pub id: String,
    /// What it is for, as the list shows it ("Apology").
    pub title: String,
    /// "/sorry": typed in the reply box, it offers this reply.
    pub shortcut: String,
    /// The language of its text: it is offered in conversations with customers of it.
    pub language: Locale,
    /// The text, with `{customer_name}` and `{agent_name}` where the names go.
    pub text: String,
    pub updated_at: Timestamp,
}

/// A reply's title, shortcut, language and text, checked: what creating or changing one
/// stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedDraft {
    pub title: String,
    pub shortcut: String,
    pub language: Locale,
    pub text: String,
}

/// Why a title, shortcut or text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CannedError {
    #[error("The title is empty")]
    EmptyTitle,
    #[error("The title must be one line of text")]
    TitleNotOneLine,
    #[error("The title is longer than {MAX_TITLE_CHARS} characters")]
    TitleTooLong,
    #[error(
        "A shortcut is \"/\" and 1 to {MAX_SHORTCUT_CHARS} lowercase letters, digits, - or _ (like /sorry)"
    )]
    BadShortcut,
    #[error("The text is empty")]
    EmptyText,
    #[error("The text is longer than {MAX_BODY_CHARS} characters")]
    TextTooLong,
    #[error("The text uses {{{0}}}, which Baton cannot fill in: use {{customer_name}} or {{agent_name}}")]
    UnknownPlaceholder(String),
}

impl CannedDraft {
    /// Checks and tidies what a supervisor typed: surrounding spaces go, the shortcut gets
    /// its "/" and is compared in lower case.
    pub fn parse(
        title: &str,
        shortcut: &str,
        language: Locale,
        text: &str,
    ) -> Result<Self, CannedError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(CannedError::EmptyTitle);
        }
        if title.chars().any(char::is_control) {
            return Err(CannedError::TitleNotOneLine);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(CannedError::TitleTooLong);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(CannedError::EmptyText);
        }
        if text.chars().count() > MAX_BODY_CHARS {
            return Err(CannedError::TextTooLong);
        }
        if let Some(unknown) = placeholders(text).find(|name| !PLACEHOLDERS.contains(name)) {
            return Err(CannedError::UnknownPlaceholder(unknown.to_owned()));
        }
        Ok(CannedDraft {
            title: title.to_owned(),
            shortcut: shortcut_of(shortcut)?,
            language,
            text: text.to_owned(),
        })
    }
}

/// "/Sorry", "sorry" and " /sorry " are all "/sorry".
fn shortcut_of(raw: &str) -> Result<String, CannedError> {
    let raw = raw.trim();
    let name = raw.strip_prefix('/').unwrap_or(raw).to_lowercase();
    let fits = (1..=MAX_SHORTCUT_CHARS).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if fits {
        Ok(format!("/{name}"))
    } else {
        Err(CannedError::BadShortcut)
    }
}

/// The names in braces in `text` that look like placeholders (`{word}`), in order.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|after| {
        let name = &after[..after.find('}')?];
        let word = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        word.then_some(name)
    })
}

impl CannedReply {
    /// The text with the customer's and the agent's names filled in.
    pub fn filled(&self, customer_name: &str, agent_name: &str) -> String {
        self.text
            .replace("{customer_name}", customer_name)
            .replace("{agent_name}", agent_name)
    }
}

/// The replies in `language` whose shortcut starts with what the agent typed after "/", by
/// shortcut; none unless the draft is a single word starting with "/".
pub fn matching<'a>(
    replies: &'a [CannedReply],
    draft: &str,
    language: Locale,
) -> Vec<&'a CannedReply> {
    let typed = draft.trim_start().to_lowercase();
    if !typed.starts_with('/') || typed.contains(char::is_whitespace) {
        return Vec::new();
    }
    let mut found: Vec<&CannedReply> = replies
        .iter()
        .filter(|reply| reply.language == language && reply.shortcut.starts_with(&typed))
        .collect();
    found.sort_by(|a, b| a.shortcut.cmp(&b.shortcut));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str, language: Locale, text: &str) -> CannedReply {
        CannedReply {
            id: shortcut.into(),
            title: shortcut.into(),
            shortcut: shortcut.into(),
            language,
            text: text.into(),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn a_draft_is_tidied_and_its_shortcut_gets_its_slash() {
        let draft = CannedDraft::parse(" Apology ", "Sorry", Locale::en, " I'm sorry. ").unwrap();
        assert_eq!(draft.title, "Apology");
        assert_eq!(draft.shortcut, "/sorry");
        assert_eq!(draft.text, "I'm sorry.");
        assert_eq!(
            CannedDraft::parse("A", "/late-2", Locale::id, "x")
                .unwrap()
                .shortcut,
            "/late-2"
        );
    }

    #[test]
    fn bad_titles_shortcuts_and_texts_are_refused_with_their_reason() {
        let parse = |title: &str, shortcut: &str, text: &str| {
            CannedDraft::parse(title, shortcut, Locale::en, text).unwrap_err()
        };
        assert_eq!(parse("  ", "/a", "x"), CannedError::EmptyTitle);
        assert_eq!(parse("a\nb", "/a", "x"), CannedError::TitleNotOneLine);
        assert_eq!(parse(&"t".repeat(81), "/a", "x"), CannedError::TitleTooLong);
        for shortcut in [
            "",
            "/",
            "/two words",
            "/é",
            "/a.b",
            format!("/{}", "a".repeat(33)).as_str(),
        ] {
            assert_eq!(
                parse("t", shortcut, "x"),
                CannedError::BadShortcut,
                "{shortcut}"
            );
        }
        assert_eq!(parse("t", "/a", " \n "), CannedError::EmptyText);
        assert_eq!(
            parse("t", "/a", &"x".repeat(MAX_BODY_CHARS + 1)),
            CannedError::TextTooLong
        );
        assert_eq!(
            parse("t", "/a", "Your order {order_id} left today"),
            CannedError::UnknownPlaceholder("order_id".into())
        );
    }

    #[test]
    fn braces_that_are_not_placeholders_are_kept_as_written() {
        let draft =
            CannedDraft::parse("t", "/a", Locale::en, "a {b c} {} } { {customer_name}").unwrap();
        assert_eq!(draft.text, "a {b c} {} } { {customer_name}");
    }

    #[test]
    fn inserting_fills_in_both_names_wherever_they_are() {
        let greet = reply(
            "/greet",
            Locale::en,
            "Hi {customer_name}, I'm {agent_name}. {customer_name}, how can I help?",
        );
        assert_eq!(
            greet.filled("Sari", "Ana Putri"),
            "Hi Sari, I'm Ana Putri. Sari, how can I help?"
        );
    }

    #[test]
    fn a_slash_offers_the_replies_in_the_customers_language_by_prefix() {
        let replies = [
            reply("/sorry", Locale::en, "Sorry"),
            reply("/refund", Locale::en, "Refund"),
            reply("/sorry", Locale::id, "Maaf"),
            reply("/greet", Locale::en, "Hi"),
        ];
        let shortcuts = |draft: &str, language| -> Vec<String> {
            matching(&replies, draft, language)
                .into_iter()
                .map(|r| format!("{} {}", r.shortcut, r.text))
                .collect()
        };
        assert_eq!(
            shortcuts("/", Locale::en),
            ["/greet Hi", "/refund Refund", "/sorry Sorry"]
        );
        assert_eq!(shortcuts("/S", Locale::id), ["/sorry Maaf"]);
        assert!(shortcuts("sorry", Locale::en).is_empty());
        assert!(shortcuts("/sorry now", Locale::en).is_empty());
    }
}
