//! Typed identifiers: UUIDs that parse at every boundary, so an agent id can never stand
//! where a conversation id belongs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An identifier string that is not a valid UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {what} id")]
pub struct ParseIdError {
    what: &'static str,
    input: String,
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered, unguessable id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the canonical hyphenated form.
            pub fn parse(input: &str) -> Result<Self, ParseIdError> {
                Uuid::parse_str(input.trim()).map(Self).map_err(|_| ParseIdError {
                    what: $what,
                    input: input.chars().take(64).collect(),
                })
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseIdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::domain::schema::uuid(concat!("A ", $what, " id: a UUID, hyphenated"))
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

uuid_id!(
    /// Identifies a conversation between one customer and Baton.
    ConversationId,
    "conversation"
);
uuid_id!(
    /// Identifies a human agent (or supervisor, or admin).
    AgentId,
    "agent"
);
uuid_id!(
    /// Identifies one stored message.
    MessageId,
    "message"
);
uuid_id!(
    /// Identifies a file a message carries (a photo, a PDF).
    AttachmentId,
    "attachment"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = ConversationId::new();
        assert_eq!(ConversationId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn garbage_is_not_an_id() {
        let err = AgentId::parse("not-a-uuid").unwrap_err();
        assert_eq!(err.to_string(), "`not-a-uuid` is not a valid agent id");
    }

    #[test]
    fn ids_deserialize_only_from_valid_strings() {
        assert!(serde_json::from_str::<ConversationId>("\"nope\"").is_err());
        let id = ConversationId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<ConversationId>(&json).unwrap(), id);
    }
}
