//! What an agent searches the conversation list for, parsed once at the boundary into plain
//! terms that no search engine can misread.
//!
//! The syntax is small: words, all of which must match (in the customer's name or in any
//! message), and "quoted phrases", whose words must follow one another. The last word also
//! matches as the start of a word (`parc` finds "parcel") unless it closes a quoted phrase.
//! Everything but letters and digits separates words, as the databases' tokenizers see
//! text: a word like `a:b` or `sari@example.com` becomes the phrase of its parts, and
//! quotes, operators, `*`, `-` and brackets never reach an engine as syntax. Input of more
//! than [`MAX_SEARCH_CHARS`] characters is refused; input without a letter or digit
//! searches nothing (the whole list).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::TextError;

/// The most characters a search may hold.
pub const MAX_SEARCH_CHARS: usize = 200;

/// One thing a conversation must contain: a word, or several in a row (a phrase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    words: Vec<String>,
    prefix: bool,
}

impl Term {
    /// The words, in order, lower-cased; each only letters and digits.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// True when the last word may also be the start of a longer word.
    pub fn prefix(&self) -> bool {
        self.prefix
    }
}

/// A parsed search: the terms every match holds, none repeated. It keeps the text it was
/// parsed from, which is what it serializes to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SearchQuery {
    text: String,
    terms: Vec<Term>,
}

impl SearchQuery {
    /// Parses what an agent typed (see the module's documentation for the syntax).
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let text = raw.trim();
        let chars = text.chars().count();
        if chars > MAX_SEARCH_CHARS {
            return Err(TextError::TooLong {
                what: "search",
                chars,
                max: MAX_SEARCH_CHARS,
            });
        }
        // Quotes alternate: outside, inside, outside … (an unclosed phrase runs to the end).
        let pieces: Vec<&str> = text.split('"').collect();
        let mut typed: Vec<Term> = Vec::new();
        let mut closed_phrase = false;
        for (n, piece) in pieces.iter().enumerate() {
            let quoted = n % 2 == 1;
            let groups: Vec<Vec<String>> = if quoted {
                vec![words_of(piece)]
            } else {
                piece.split_whitespace().map(words_of).collect()
            };
            for words in groups.into_iter().filter(|words| !words.is_empty()) {
                closed_phrase = quoted && n + 1 < pieces.len();
                typed.push(Term {
                    words,
                    prefix: false,
                });
            }
        }
        if let Some(last) = typed.last_mut() {
            last.prefix = !closed_phrase;
        }
        let mut terms: Vec<Term> = Vec::with_capacity(typed.len());
        for term in typed {
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        Ok(Self {
            text: text.to_owned(),
            terms,
        })
    }

    /// The terms; none for a search without a letter or digit.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// True when there is nothing to search for (no terms): the whole list matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The text as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The runs of letters and digits in `text`, lower-cased.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for SearchQuery {
    type Error = TextError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<SearchQuery> for String {
    fn from(query: SearchQuery) -> String {
        query.text
    }
}

impl utoipa::PartialSchema for SearchQuery {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(MAX_SEARCH_CHARS))
            .description(Some(
                "Words (all must match; the last also as a word's start) and \"quoted \
                 phrases\", in customers' names and message text",
            ))
            .into()
    }
}

impl utoipa::ToSchema for SearchQuery {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms of `raw`, each as its words and a `*` when it is a prefix.
    fn terms(raw: &str) -> Vec<String> {
        let query = SearchQuery::parse(raw).unwrap();
        let shown = |t: &Term| t.words().join(" ") + if t.prefix() { "*" } else { "" };
        query.terms().iter().map(shown).collect()
    }

    #[test]
    fn words_must_all_match_and_the_last_may_be_a_words_start() {
        assert_eq!(terms("  Parcel BROKEN  "), ["parcel", "broken*"]);
    }

    #[test]
    fn quoted_phrases_keep_their_words_in_order() {
        assert_eq!(terms(r#""order 1234" refund"#), ["order 1234", "refund*"]);
        // A closed phrase at the end is meant as typed; an unclosed one is still being typed.
        assert_eq!(terms(r#"refund "order 12""#), ["refund", "order 12"]);
        assert_eq!(terms(r#"refund "order 12"#), ["refund", "order 12*"]);
    }

    #[test]
    fn punctuation_separates_words_and_never_reaches_an_engine() {
        assert_eq!(
            terms("sari@example.com -x a:b"),
            ["sari example com", "x", "a b*"]
        );
        for hostile in [
            "\"", "*", "NEAR(", "a:b", "-x", "'; DROP", "()", "\\", "\0", "^~",
        ] {
            let query = SearchQuery::parse(hostile).unwrap();
            for word in query.terms().iter().flat_map(Term::words) {
                assert!(
                    word.chars().all(char::is_alphanumeric),
                    "{hostile:?}: {word:?}"
                );
            }
        }
        assert!(SearchQuery::parse("* \" -- ()").unwrap().is_empty());
        assert!(SearchQuery::parse("").unwrap().is_empty());
    }

    #[test]
    fn letters_of_every_script_are_words_and_repeats_count_once() {
        assert_eq!(terms("Café café ÜBER"), ["café", "über*"]);
        assert_eq!(terms("terima kasih"), ["terima", "kasih*"]);
    }

    #[test]
    fn more_than_two_hundred_characters_are_refused() {
        assert!(SearchQuery::parse(&"a".repeat(MAX_SEARCH_CHARS)).is_ok());
        let err = SearchQuery::parse(&"a".repeat(MAX_SEARCH_CHARS + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "search is too long: 201 characters, at most 200"
        );
    }

    #[test]
    fn it_travels_as_the_text_typed() {
        let query: SearchQuery = serde_json::from_str(r#"" parcel ""#).unwrap();
        assert_eq!(serde_json::to_string(&query).unwrap(), r#""parcel""#);
        let long = format!("\"{}\"", "x".repeat(MAX_SEARCH_CHARS + 1));
        assert!(serde_json::from_str::<SearchQuery>(&long).is_err());
    }
}
