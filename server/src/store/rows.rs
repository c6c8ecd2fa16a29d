//! Reading rows into domain values, once for both SQL backends: each backend's row type
//! implements [`Columns`] (see [`super::engine`]).

use super::DbError;
use app::domain::analytics::{Facts, Rating};
use app::domain::canned::CannedReply;
use app::domain::contact::EarlierConversation;
use app::domain::label::{Label, LabelColor, Priority};
use app::domain::webhook::{Attempt, Delivery, DeliveryStatus, EventFilter, WebhookEndpoint};
use app::domain::{
    Agent, AgentId, AgentRef, Attachment, AttachmentId, AuditAction, AuditEntry, Author,
    Availability, Conversation, ConversationId, DisplayName, Email, EscalationReason, Event,
    EventKind, FileKind, Mode, Role, Timestamp, VerifiedCustomer, Waiting,
};

/// Reads typed columns from a row by name.
pub trait Columns {
    fn text(&self, column: &str) -> Result<String, DbError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, DbError>;
    fn int(&self, column: &str) -> Result<i64, DbError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, DbError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError>;
}

fn corrupt(what: &'static str, value: impl std::fmt::Debug) -> DbError {
    DbError::Corrupt {
        what,
        value: format!("{value:?}"),
    }
}

pub(crate) fn conversation_from_row(row: &impl Columns) -> Result<Conversation, DbError> {
    let id = row.text("id")?;
    let owner_id = row
        .opt_text("owner_id")?
        .map(|raw| AgentId::parse(&raw).map_err(|_| corrupt("owner id", raw)))
        .transpose()?;
    let mode = row.text("mode")?;
    let mode = Mode::from_parts(&mode, owner_id).ok_or_else(|| corrupt("mode", &mode))?;
    let waiting = match (
        row.opt_text("waiting_reason")?,
        row.opt_int("waiting_since")?,
    ) {
        (Some(reason), Some(since)) => Some(Waiting {
            reason: EscalationReason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
            since: Timestamp(since),
        }),
        _ => None,
    };
    Ok(Conversation {
        id: ConversationId::parse(&id).map_err(|_| corrupt("conversation id", &id))?,
        customer_name: row.text("customer_name")?,
        mode,
        mode_since: Timestamp(row.int("mode_since")?),
        owner: owner_id
            .zip(row.opt_text("owner_name")?)
            .map(|(id, name)| AgentRef { id, name }),
        waiting,
        version: row.int("version")? as u64,
        last_seq: row.int("last_seq")? as u64,
        preview: row.opt_text("preview")?,
        brief: row.opt_text("brief")?,
        brief_for_customer: row.int("brief_for_customer")? != 0,
        reply_due_since: row.opt_int("reply_due_since")?.map(Timestamp),
        contact_email: row.opt_text("contact_email")?,
        verified: row
            .opt_text("customer_ref")?
            .map(|id| -> Result<VerifiedCustomer, DbError> {
                Ok(VerifiedCustomer {
                    id,
                    email: row.opt_text("customer_email")?,
                })
            })
            .transpose()?,
        locale: {
            let locale = row.text("locale")?;
            locale.parse().map_err(|_| corrupt("locale", &locale))?
        },
        labels: {
            let mut labels: Vec<String> = row
                .opt_text("labels")?
                .map(|ids| ids.split(' ').map(str::to_owned).collect())
                .unwrap_or_default();
            labels.sort();
            labels
        },
        priority: {
            let priority = row.text("priority")?;
            Priority::from_code(&priority).ok_or_else(|| corrupt("priority", &priority))?
        },
        created_at: Timestamp(row.int("created_at")?),
        updated_at: Timestamp(row.int("updated_at")?),
    })
}

/// A conversation's id, from its `id` column.
/// A file and the conversation whose message carries it ([`super::sql::file`]).
pub(crate) fn file_from_row(
    row: &impl Columns,
) -> Result<(ConversationId, app::backend::StoredFile), DbError> {
    let id = row.text("id")?;
    let kind = row.text("kind")?;
    let attachment = Attachment {
        id: AttachmentId::parse(&id).map_err(|_| corrupt("attachment id", &id))?,
        name: row.text("name")?,
        kind: FileKind::ALL
            .into_iter()
            .find(|candidate| super::sql::kind_name(*candidate) == kind)
            .ok_or_else(|| corrupt("file kind", &kind))?,
        size: u64::try_from(row.int("size")?).map_err(|_| corrupt("file size", &id))?,
    };
    let file = app::backend::StoredFile {
        attachment,
        bytes: row.bytes("bytes")?,
    };
    let conversation = row.text("conversation_id")?;
    let conversation = ConversationId::parse(&conversation)
        .map_err(|_| corrupt("conversation id", &conversation))?;
    Ok((conversation, file))
}

pub(crate) fn conversation_id_from_row(row: &impl Columns) -> Result<ConversationId, DbError> {
    let id = row.text("id")?;
    ConversationId::parse(&id).map_err(|_| corrupt("conversation id", &id))
}

/// A customer's rating.
pub(crate) fn rating_from_row(row: &impl Columns) -> Result<Rating, DbError> {
    let id = row.text("conversation_id")?;
    let agent = match row.opt_text("agent_id")? {
        Some(agent_id) => Some(AgentRef {
            id: AgentId::parse(&agent_id).map_err(|_| corrupt("agent id", &agent_id))?,
            name: row.opt_text("agent_name")?.unwrap_or_default(),
        }),
        None => None,
    };
    let rating = row.int("rating")?;
    Ok(Rating {
        conversation_id: ConversationId::parse(&id).map_err(|_| corrupt("conversation id", &id))?,
        segment_seq: row.int("segment_seq")? as u64,
        agent,
        rating: u8::try_from(rating).map_err(|_| corrupt("rating", rating))?,
        comment: row.opt_text("comment")?,
        at: Timestamp(row.int("at")?),
    })
}

/// An event with its conversation's id (`conversation_id` column).
pub(crate) fn any_event_from_row(row: &impl Columns) -> Result<Event, DbError> {
    let id = row.text("conversation_id")?;
    let conversation_id =
        ConversationId::parse(&id).map_err(|_| corrupt("conversation id", &id))?;
    event_from_row(conversation_id, row)
}

/// Conversations' stored analytics facts from rows of lines `<conversation id> <facts>`
/// ([`super::sql::analytics_facts`]).
pub(crate) fn facts_from_lines(rows: &[String]) -> Result<Vec<(ConversationId, Facts)>, DbError> {
    rows.iter()
        .flat_map(|row| row.split('\n'))
        .map(|line| {
            let (id, facts) = line
                .split_once(' ')
                .ok_or_else(|| corrupt("analytics facts", line))?;
            let conversation_id =
                ConversationId::parse(id).map_err(|_| corrupt("conversation id", id))?;
            let facts = serde_json::from_str(facts)
                .map_err(|err| corrupt("analytics facts", err.to_string()))?;
            Ok((conversation_id, facts))
        })
        .collect()
}

pub(crate) fn event_from_row(
    conversation_id: ConversationId,
    row: &impl Columns,
) -> Result<Event, DbError> {
    let kind: EventKind = serde_json::from_str(&row.text("payload")?)
        .map_err(|err| corrupt("event", err.to_string()))?;
    Ok(Event {
        conversation_id,
        seq: row.int("seq")? as u64,
        at: Timestamp(row.int("at")?),
        kind,
    })
}

pub(crate) fn agent_from_row(row: &impl Columns) -> Result<Agent, DbError> {
    let id = row.text("id")?;
    let email = row.text("email")?;
    let name = row.text("display_name")?;
    let role = row.text("role")?;
    let status = row.text("status")?;
    Ok(Agent {
        id: AgentId::parse(&id).map_err(|_| corrupt("agent id", &id))?,
        email: Email::parse(&email).map_err(|_| corrupt("email", &email))?,
        display_name: DisplayName::parse(&name).map_err(|_| corrupt("name", &name))?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        status: Availability::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        max_chats: row.int("max_chats")?.max(0) as u32,
    })
}

pub(crate) fn audit_from_row(row: &impl Columns) -> Result<AuditEntry, DbError> {
    let action = row.text("action")?;
    let actor_name = row.text("actor_name")?;
    Ok(AuditEntry {
        id: row.int("id")? as u64,
        at: Timestamp(row.int("at")?),
        actor: row
            .opt_text("actor_id")?
            .and_then(|id| AgentId::parse(&id).ok())
            .map(|id| AgentRef {
                id,
                name: actor_name,
            }),
        action: AuditAction::parse(&action).ok_or_else(|| corrupt("audit action", &action))?,
        conversation_id: row
            .opt_text("conversation_id")?
            .and_then(|id| ConversationId::parse(&id).ok()),
        detail: row.opt_text("detail")?,
    })
}

/// The event's `type` tag, stored beside its JSON for queries.
pub(crate) fn kind_tag(kind: &EventKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// The customer's latest message among `kinds` (in order), shortened for the conversation
/// list: the card shows what the customer said, never Baton's own notices or the replies.
pub(crate) fn preview_of_kinds<'a>(
    kinds: impl DoubleEndedIterator<Item = &'a EventKind>,
) -> Option<String> {
    kinds.rev().find_map(|kind| match kind {
        EventKind::Message { message } if message.author == Author::Customer => {
            let text = message.body.as_str();
            Some(match text.char_indices().nth(120) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.to_owned(),
            })
        }
        _ => None,
    })
}

/// Who sent a message, as the idempotency key's scope.
pub(crate) fn sender_key(author: &Author) -> String {
    match author {
        Author::Customer => "customer".into(),
        Author::Ai => "ai".into(),
        Author::System => "system".into(),
        Author::Agent { agent } => format!("agent:{}", agent.id),
    }
}

/// An endpoint's signing keys (base64): the current one, and the one before the last
/// rotation while it still signs.
#[derive(Debug, Clone)]
pub struct Keys {
    pub current: String,
    pub previous: Option<(String, Timestamp)>,
}

pub(crate) fn endpoint_from_row(row: &impl Columns) -> Result<(WebhookEndpoint, Keys), DbError> {
    let previous_until = row.opt_int("previous_until")?.map(Timestamp);
    let endpoint = WebhookEndpoint {
        id: row.text("id")?,
        url: row.text("url")?,
        events: EventFilter::from_stored(&row.text("events")?),
        enabled: row.int("enabled")? != 0,
        disabled_reason: row.opt_text("disabled_reason")?,
        created_at: Timestamp(row.int("created_at")?),
        previous_secret_until: previous_until,
    };
    let keys = Keys {
        current: row.text("secret")?,
        previous: row.opt_text("previous_secret")?.zip(previous_until),
    };
    Ok((endpoint, keys))
}

pub(crate) fn earlier_from_row(row: &impl Columns) -> Result<EarlierConversation, DbError> {
    let id = row.text("id")?;
    Ok(EarlierConversation {
        id: ConversationId::parse(&id).map_err(|_| corrupt("conversation id", &id))?,
        started_at: Timestamp(row.int("created_at")?),
        last_active: Timestamp(row.int("updated_at")?),
        closed: row.text("mode")? == Mode::Closed.tag(),
        preview: row.opt_text("preview")?,
    })
}

pub(crate) fn label_from_row(row: &impl Columns) -> Result<Label, DbError> {
    let color = row.text("color")?;
    Ok(Label {
        id: row.text("id")?,
        name: row.text("name")?,
        color: LabelColor::from_code(&color).ok_or_else(|| corrupt("label colour", &color))?,
        updated_at: Timestamp(row.int("updated_at")?),
    })
}

pub(crate) fn canned_from_row(row: &impl Columns) -> Result<CannedReply, DbError> {
    let language = row.text("language")?;
    Ok(CannedReply {
        id: row.text("id")?,
        title: row.text("title")?,
        shortcut: row.text("shortcut")?,
        language: language
            .parse()
            .map_err(|_| corrupt("canned reply language", &language))?,
        text: row.text("body")?,
        updated_at: Timestamp(row.int("updated_at")?),
    })
}

pub(crate) fn delivery_from_row(row: &impl Columns) -> Result<Delivery, DbError> {
    let status = row.text("status")?;
    Ok(Delivery {
        id: row.text("id")?,
        endpoint_id: row.text("endpoint_id")?,
        event_type: row.text("event_type")?,
        conversation_id: row.text("conversation_id")?,
        seq: row.int("seq")?.max(0) as u64,
        status: DeliveryStatus::parse(&status).ok_or_else(|| corrupt("delivery status", status))?,
        attempts: row.int("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
        created_at: Timestamp(row.int("created_at")?),
        next_attempt_at: row.opt_int("next_attempt_at")?.map(Timestamp),
    })
}

/// An attempt and the delivery it belongs to.
pub(crate) fn attempt_from_row(row: &impl Columns) -> Result<(String, Attempt), DbError> {
    Ok((
        row.text("delivery_id")?,
        Attempt {
            at: Timestamp(row.int("at")?),
            status: row
                .opt_int("status")?
                .and_then(|status| u16::try_from(status).ok()),
            latency_ms: row.int("latency_ms")?.max(0) as u64,
            response: row.text("response")?,
        },
    ))
}
