//! Parsed text at every boundary: a message body, a name, a note, a client id, an e-mail
//! address. Each is a newtype that can only hold valid text.
//!
//! Besides emptiness and length, text that could deceive a reader is refused: control
//! characters (NUL included; tabs and line breaks stay allowed in messages and notes),
//! bidirectional overrides and isolates (which reorder what an agent sees), and invisible
//! characters (zero-width space, word joiner, byte-order mark). Names also refuse the
//! zero-width joiners and direction marks; messages keep the joiner emoji need.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The most characters one message may hold.
pub const MAX_BODY_CHARS: usize = 4_000;
const MAX_NAME_CHARS: usize = 60;
const MAX_NOTE_CHARS: usize = 1_000;
const MAX_CLIENT_ID_CHARS: usize = 64;
const MAX_EMAIL_CHARS: usize = 254;

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is too long: {chars} characters, at most {max}")]
    TooLong {
        what: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("{what} contains characters that are not allowed")]
    BadCharacters { what: &'static str },
}

/// Characters that change how text reads without being seen: bidirectional embeddings,
/// overrides and isolates, zero-width space, word joiner, byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// True for characters free text may not hold: control characters other than tab and
/// line breaks, and [`invisible`] ones.
fn deceptive(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || invisible(c)
}

/// True for characters a name may not hold: every control character, the invisible ones,
/// zero-width (non-)joiners and direction marks.
fn deceptive_in_name(c: char) -> bool {
    c.is_control() || invisible(c) || matches!(c, '\u{200C}'..='\u{200F}')
}

fn bounded(what: &'static str, raw: &str, max: usize) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty { what });
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(TextError::TooLong { what, chars, max });
    }
    if trimmed.chars().any(deceptive) {
        return Err(TextError::BadCharacters { what });
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, max $max:expr $(, pattern $pattern:literal)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The text itself.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                #[allow(unused_mut, unused_assignments)]
                let mut pattern: Option<&str> = None;
                $(pattern = Some($pattern);)?
                crate::domain::schema::text($max, pattern)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

text_type!(
    /// A chat message's text: non-empty after trimming, at most [`MAX_BODY_CHARS`] characters.
    MessageBody,
    max MAX_BODY_CHARS
);
text_type!(
    /// A person's name as others see it: 1–60 characters, no control characters.
    DisplayName,
    max MAX_NAME_CHARS
);
text_type!(
    /// A note between agents (transfer note, handover brief): 1–1,000 characters.
    Note,
    max MAX_NOTE_CHARS
);
text_type!(
    /// The id a client gives a message it sends, so a retry never stores it twice:
    /// 1–64 of `A–Z a–z 0–9 - _`.
    ClientId,
    max MAX_CLIENT_ID_CHARS,
    pattern "^[A-Za-z0-9_-]+$"
);
text_type!(
    /// An agent's sign-in address, lower-cased.
    Email,
    max MAX_EMAIL_CHARS
);

impl MessageBody {
    /// Parses a message body.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        bounded("message", raw, MAX_BODY_CHARS).map(Self)
    }
}

impl DisplayName {
    /// Parses a display name.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let name = bounded("name", raw, MAX_NAME_CHARS)?;
        if name.chars().any(deceptive_in_name) {
            return Err(TextError::BadCharacters { what: "name" });
        }
        Ok(Self(name))
    }
}

impl Note {
    /// Parses a note.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        bounded("note", raw, MAX_NOTE_CHARS).map(Self)
    }

    /// An optional note: blank input means no note.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, TextError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Self::parse(text).map(Some),
        }
    }
}

impl ClientId {
    /// Parses a client-chosen message id.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let what = "client_id";
        let id = bounded(what, raw, MAX_CLIENT_ID_CHARS)?;
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(TextError::BadCharacters { what });
        }
        Ok(Self(id))
    }

    /// A fresh random id (used by the browser client).
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }
}

impl Email {
    /// Parses an e-mail address loosely (something@something), lower-cased.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let what = "email";
        let email = bounded(what, raw, MAX_EMAIL_CHARS)?.to_lowercase();
        match email.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && !domain.is_empty()
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control()) =>
            {
                Ok(Self(email))
            }
            _ => Err(TextError::BadCharacters { what }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_trimmed() {
        assert_eq!(MessageBody::parse("  hello \n").unwrap().as_str(), "hello");
    }

    #[test]
    fn an_empty_or_blank_message_is_refused() {
        assert_eq!(
            MessageBody::parse(" \t\n"),
            Err(TextError::Empty { what: "message" })
        );
        assert!(MessageBody::parse("").is_err());
    }

    #[test]
    fn a_message_of_exactly_the_limit_is_accepted_and_one_more_is_refused() {
        let max = "é".repeat(MAX_BODY_CHARS);
        assert!(MessageBody::parse(&max).is_ok());
        let over = format!("{max}x");
        assert_eq!(
            MessageBody::parse(&over),
            Err(TextError::TooLong {
                what: "message",
                chars: MAX_BODY_CHARS + 1,
                max: MAX_BODY_CHARS
            })
        );
    }

    #[test]
    fn a_message_deserializes_only_when_valid() {
        assert!(serde_json::from_str::<MessageBody>("\"  \"").is_err());
        let body: MessageBody = serde_json::from_str("\" hi \"").unwrap();
        assert_eq!(body.as_str(), "hi");
    }

    #[test]
    fn names_refuse_control_characters_and_long_input() {
        assert!(DisplayName::parse("Ana\u{0007}").is_err());
        assert!(DisplayName::parse(&"a".repeat(61)).is_err());
        assert_eq!(DisplayName::parse(" Ana ").unwrap().as_str(), "Ana");
    }

    #[test]
    fn nul_and_invisible_reordering_characters_are_refused_everywhere() {
        let bad = TextError::BadCharacters { what: "message" };
        assert_eq!(MessageBody::parse("refund\u{0}"), Err(bad.clone()));
        assert_eq!(
            MessageBody::parse("pay \u{202E}0001\u{202C} now"),
            Err(bad.clone())
        );
        assert_eq!(MessageBody::parse("a\u{200B}b"), Err(bad.clone()));
        assert_eq!(MessageBody::parse("\u{FEFF}hi"), Err(bad));
        assert!(Note::parse("do not \u{2066}refund\u{2069}").is_err());
        assert!(DisplayName::parse("Ana\u{200D}").is_err());
        assert!(DisplayName::parse("Ana\u{200F}").is_err());
    }

    #[test]
    fn line_breaks_tabs_and_emoji_joiners_stay_in_messages() {
        assert!(MessageBody::parse("line one\nline two\twith a tab").is_ok());
        assert!(MessageBody::parse("family: \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}").is_ok());
        assert!(MessageBody::parse("Apa kabar? Terima kasih \u{1F64F}").is_ok());
    }

    #[test]
    fn a_blank_note_is_no_note() {
        assert_eq!(Note::parse_optional(Some("   ")), Ok(None));
        assert_eq!(Note::parse_optional(None), Ok(None));
        assert_eq!(
            Note::parse_optional(Some(" VIP "))
                .unwrap()
                .unwrap()
                .as_str(),
            "VIP"
        );
    }

    #[test]
    fn client_ids_are_short_and_plain() {
        assert!(ClientId::parse("abc-123_X").is_ok());
        assert!(ClientId::parse("has space").is_err());
        assert!(ClientId::parse(&"a".repeat(65)).is_err());
        assert_ne!(ClientId::random(), ClientId::random());
    }

    #[test]
    fn emails_are_lower_cased_and_need_an_at_sign() {
        assert_eq!(
            Email::parse(" Ana@Baton.Dev ").unwrap().as_str(),
            "ana@baton.dev"
        );
        assert!(Email::parse("ana.baton.dev").is_err());
        assert!(Email::parse("@baton.dev").is_err());
    }
}

/// Every parser of outside text, driven with arbitrary input: it never panics, and whatever it
/// accepts keeps the type's promise.
#[cfg(test)]
mod hostile_input {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn message_bodies_are_never_empty_or_too_long(raw in any::<String>()) {
            if let Ok(body) = MessageBody::parse(&raw) {
                prop_assert!(!body.as_str().trim().is_empty());
                prop_assert!(body.as_str().chars().count() <= MAX_BODY_CHARS);
                prop_assert_eq!(body.as_str(), body.as_str().trim());
            }
        }

        #[test]
        fn accepted_messages_and_notes_hold_nothing_deceptive(raw in any::<String>()) {
            if let Ok(body) = MessageBody::parse(&raw) {
                prop_assert!(!body.as_str().chars().any(deceptive));
            }
            if let Ok(note) = Note::parse(&raw) {
                prop_assert!(!note.as_str().chars().any(deceptive));
            }
        }

        #[test]
        fn names_have_no_control_characters(raw in any::<String>()) {
            if let Ok(name) = DisplayName::parse(&raw) {
                prop_assert!(!name.as_str().chars().any(deceptive_in_name));
                prop_assert!(name.as_str().chars().count() <= 60);
            }
        }

        #[test]
        fn client_ids_are_plain_and_short(raw in any::<String>()) {
            if let Ok(id) = ClientId::parse(&raw) {
                prop_assert!(id.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
                prop_assert!(id.as_str().len() <= 64);
            }
        }

        #[test]
        fn emails_and_ids_parse_without_panicking(raw in any::<String>()) {
            let _ = Email::parse(&raw);
            let _ = crate::domain::ConversationId::parse(&raw);
            let _ = crate::domain::AgentId::parse(&raw);
        }
    }
}
