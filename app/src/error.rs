//! The one error type that crosses the API boundary.
//!
//! Every server function returns `Result<_, ApiError>`. The JSON body carries a
//! machine-readable `kind` and a human `message`; the HTTP status follows from the kind
//! ([`ApiError::status`]). A refusal of the rule book ([`Refusal`]) keeps the status and the
//! sentence its table gives and adds its stable name as `refusal`
//! ([`ApiError::refused`]). Internal causes are logged on the server and never sent.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::{AgentRef, Conversation, Refusal, Timestamp};

/// What went wrong, as the caller may know it.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, thiserror::Error,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// 400: the input is malformed or out of bounds; nothing changed.
    #[error("{message}")]
    BadInput {
        message: String,
        /// The rule-book refusal behind the error ([`Refusal::kind`]), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<String>,
    },
    /// 401: sign in first (or the customer token is missing or wrong).
    #[error("{message}")]
    Unauthorized { message: String },
    /// 403: signed in, but not allowed to do this.
    #[error("{message}")]
    Forbidden {
        message: String,
        /// The rule-book refusal behind the error ([`Refusal::kind`]), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<String>,
    },
    /// 404: no such conversation or agent.
    #[error("{message}")]
    NotFound { message: String },
    /// 409: the state changed or forbids this, e.g. "Already taken over by Ana".
    #[error("{message}")]
    Conflict {
        message: String,
        /// Who holds the conversation, when that is the conflict.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<AgentRef>,
        /// Since when they hold it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Timestamp>,
        /// The rule-book refusal behind the error ([`Refusal::kind`]), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<String>,
    },
    /// 429: too many requests; try again after `retry_after_secs`.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// 500: something broke on the server; the details are in its log.
    #[error("{message}")]
    Internal { message: String },
    /// 503: the database cannot be reached right now; nothing was changed, and the same
    /// request may be sent again after `retry_after_secs`.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_secs: u64,
    },
    /// The browser could not reach the server (never sent by the server).
    #[error("{message}")]
    Network { message: String },
}

impl ApiError {
    /// A 400 with this message.
    pub fn bad_input(message: impl Into<String>) -> Self {
        ApiError::BadInput {
            message: message.into(),
            refusal: None,
        }
    }

    /// A 401 with this message.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            message: message.into(),
        }
    }

    /// A 403 with this message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden {
            message: message.into(),
            refusal: None,
        }
    }

    /// A 404 with this message.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound {
            message: message.into(),
        }
    }

    /// A 409 with this message.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::Conflict {
            message: message.into(),
            holder: None,
            since: None,
            refusal: None,
        }
    }

    /// The error for a refusal about `conversation`, told as the refusal table says
    /// ([`Refusal::status`], [`Refusal::message`]), naming its owner and the transfer
    /// `target`. A conflict over who holds the conversation also names the holder and since
    /// when.
    pub fn refused(
        refusal: Refusal,
        conversation: &Conversation,
        target: Option<&AgentRef>,
    ) -> Self {
        let message = refusal.message(|id| {
            conversation
                .owner
                .iter()
                .chain(target)
                .find(|agent| agent.id == id)
                .map(|agent| agent.name.clone())
        });
        let kind = Some(refusal.kind().to_owned());
        match refusal.status() {
            400 => ApiError::BadInput {
                message,
                refusal: kind,
            },
            403 => ApiError::Forbidden {
                message,
                refusal: kind,
            },
            _ => {
                let holder = match refusal {
                    Refusal::HeldBy { owner } => {
                        conversation.owner.clone().filter(|held| held.id == owner)
                    }
                    _ => None,
                };
                ApiError::Conflict {
                    message,
                    since: holder.as_ref().map(|_| conversation.mode_since),
                    holder,
                    refusal: kind,
                }
            }
        }
    }

    /// A 503: the database is out of reach for a moment; retry.
    pub fn unavailable() -> Self {
        ApiError::Unavailable {
            message: "The service is briefly unavailable. Nothing was changed: please try again in a few seconds.".into(),
            retry_after_secs: 2,
        }
    }

    /// A 500 that says only that something went wrong.
    pub fn internal() -> Self {
        ApiError::Internal {
            message: "Something went wrong on our side. Please try again.".into(),
        }
    }

    /// The HTTP status that goes with the error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadInput { .. } => 400,
            ApiError::Unauthorized { .. } => 401,
            ApiError::Forbidden { .. } => 403,
            ApiError::NotFound { .. } => 404,
            ApiError::Conflict { .. } => 409,
            ApiError::RateLimited { .. } => 429,
            ApiError::Internal { .. } => 500,
            ApiError::Unavailable { .. } => 503,
            ApiError::Network { .. } => 503,
        }
    }

    /// The machine-readable kind, as in the JSON body.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::BadInput { .. } => "bad_input",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Conflict { .. } => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Internal { .. } => "internal",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Network { .. } => "network",
        }
    }

    /// The status for a `kind` read back from a JSON body (used by the server's response layer).
    pub fn status_of_kind(kind: &str) -> u16 {
        match kind {
            "bad_input" => 400,
            "unauthorized" => 401,
            "forbidden" => 403,
            "not_found" => 404,
            "conflict" => 409,
            "rate_limited" => 429,
            "unavailable" | "network" => 503,
            _ => 500,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, arguments that do not decode are the caller's mistake. (The
            // server decodes only requests; the browser decodes only responses.)
            ServerFnErrorErr::Args(message) => ApiError::bad_input(clean_serde_message(&message)),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => {
                ApiError::bad_input(clean_serde_message(&message))
            }
            ServerFnErrorErr::MissingArg(name) => {
                ApiError::bad_input(format!("missing argument `{name}`"))
            }
            ServerFnErrorErr::Request(message) => ApiError::Network {
                message: format!("Could not reach Baton: {message}"),
            },
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(_) => ApiError::internal(),
            ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Response(_) => ApiError::internal(),
        }
    }
}

/// serde's messages end with " at line 1 column 42": the position means nothing to a person.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message.to_owned(),
    }
}

impl From<crate::domain::TextError> for ApiError {
    fn from(err: crate::domain::TextError) -> Self {
        ApiError::bad_input(err.to_string())
    }
}

impl From<crate::domain::canned::CannedError> for ApiError {
    fn from(err: crate::domain::canned::CannedError) -> Self {
        ApiError::bad_input(err.to_string())
    }
}

impl From<crate::domain::label::LabelError> for ApiError {
    fn from(err: crate::domain::label::LabelError) -> Self {
        ApiError::bad_input(err.to_string())
    }
}

impl From<crate::domain::ParseIdError> for ApiError {
    fn from(err: crate::domain::ParseIdError) -> Self {
        ApiError::bad_input(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_with_a_kind_and_a_message() {
        let json = serde_json::to_value(ApiError::conflict("Already taken over by Ana")).unwrap();
        assert_eq!(json["kind"], "conflict");
        assert_eq!(json["message"], "Already taken over by Ana");
    }

    #[test]
    fn each_kind_maps_to_its_status() {
        for err in [
            ApiError::bad_input("x"),
            ApiError::unauthorized("x"),
            ApiError::forbidden("x"),
            ApiError::not_found("x"),
            ApiError::conflict("x"),
            ApiError::internal(),
        ] {
            assert_eq!(ApiError::status_of_kind(err.kind()), err.status());
        }
    }

    fn conversation_held_by(owner: &AgentRef) -> Conversation {
        Conversation {
            id: crate::domain::ConversationId::new(),
            customer_name: "Sari".into(),
            mode: crate::domain::Mode::Human { agent: owner.id },
            mode_since: Timestamp(42),
            owner: Some(owner.clone()),
            waiting: None,
            version: 1,
            last_seq: 3,
            preview: None,
            brief: None,
            brief_for_customer: false,
            reply_due_since: None,
            contact_email: None,
            verified: None,
            locale: Default::default(),
            labels: Vec::new(),
            priority: Default::default(),
            created_at: Timestamp(1),
            updated_at: Timestamp(42),
        }
    }

    #[test]
    fn a_refusal_keeps_its_tables_status_and_sentence_and_names_its_kind() {
        let ana = AgentRef {
            id: crate::domain::AgentId::new(),
            name: "Ana Putri".into(),
        };
        let conversation = conversation_held_by(&ana);
        for refusal in Refusal::examples(ana.id) {
            let err = ApiError::refused(refusal, &conversation, None);
            assert_eq!(err.status(), refusal.status(), "{refusal:?}");
            assert_eq!(err.to_string(), refusal.explain(&conversation));
            let json = serde_json::to_value(&err).unwrap();
            assert_eq!(json["refusal"], refusal.kind());
        }
    }

    #[test]
    fn a_conflict_over_the_holder_names_them_and_since_when() {
        let ana = AgentRef {
            id: crate::domain::AgentId::new(),
            name: "Ana Putri".into(),
        };
        let err = ApiError::refused(
            Refusal::HeldBy { owner: ana.id },
            &conversation_held_by(&ana),
            None,
        );
        assert_eq!(
            err,
            ApiError::Conflict {
                message: "Already taken over by Ana Putri".into(),
                holder: Some(ana),
                since: Some(Timestamp(42)),
                refusal: Some("held_by".into()),
            }
        );
    }

    #[test]
    fn a_transfer_refusal_names_the_target() {
        let ana = AgentRef {
            id: crate::domain::AgentId::new(),
            name: "Ana Putri".into(),
        };
        let budi = AgentRef {
            id: crate::domain::AgentId::new(),
            name: "Budi Santoso".into(),
        };
        let err = ApiError::refused(
            Refusal::TargetAtCapacity { agent: budi.id },
            &conversation_held_by(&ana),
            Some(&budi),
        );
        assert_eq!(
            err.to_string(),
            "Budi Santoso has no room for another conversation"
        );
    }

    #[test]
    fn argument_errors_are_bad_input_without_serde_positions() {
        let err = ApiError::from_server_fn_error(ServerFnErrorErr::Args(
            "message is empty at line 1 column 9".into(),
        ));
        assert_eq!(err, ApiError::bad_input("message is empty"));
    }
}
