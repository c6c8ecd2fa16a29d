//! Small formatting helpers.

use crate::domain::{Conversation, Locale, Mode, Timestamp, VerifiedCustomer};
use crate::i18n::td_string;

/// "just now", "3 s ago", "5 min ago", "2 h ago" (in `locale`).
pub fn ago(locale: Locale, then: Timestamp, now_millis: i64) -> String {
    match Timestamp(now_millis).seconds_since(then) {
        0..=1 => td_string!(locale, ago.now).to_owned(),
        _ => td_string!(locale, ago.ago, span = elapsed(locale, then, now_millis)).to_string(),
    }
}

/// How long since `then`: "0 s", "3 s", "5 min", "2 h" (in `locale`): a span, so "waiting
/// 0 s" reads right where "waiting just now" would not.
pub fn elapsed(locale: Locale, then: Timestamp, now_millis: i64) -> String {
    let secs = Timestamp(now_millis).seconds_since(then);
    match secs {
        0..=59 => td_string!(locale, ago.seconds, n = secs).to_string(),
        60..=3599 => td_string!(locale, ago.minutes, n = secs / 60).to_string(),
        _ => td_string!(locale, ago.hours, n = secs / 3600).to_string(),
    }
}

/// What the host site vouches for about a verified customer: "Customer id 42 · sari@example.com".
pub fn verified_detail(locale: Locale, customer: &VerifiedCustomer) -> String {
    let id = customer.id.as_str();
    match &customer.email {
        Some(email) => {
            td_string!(locale, dash.customer_id_email, id, email = email.as_str()).to_string()
        }
        None => td_string!(locale, dash.customer_id, id).to_string(),
    }
}

/// Who handles a conversation, as the dashboard badge says it.
pub fn handler_badge(
    locale: Locale,
    conversation: &Conversation,
    me: crate::domain::AgentId,
) -> (String, &'static str) {
    match conversation.mode {
        Mode::Ai => (td_string!(locale, dash.badge_ai).into(), "badge badge-ai"),
        Mode::Closed => (
            td_string!(locale, dash.badge_closed).into(),
            "badge badge-closed",
        ),
        Mode::Human { agent } if agent == me => (
            td_string!(locale, dash.badge_you).into(),
            "badge badge-mine",
        ),
        Mode::Human { .. } => (
            conversation
                .owner
                .as_ref()
                .map(|o| o.name.clone())
                .unwrap_or_else(|| td_string!(locale, dash.badge_agent).into()),
            "badge badge-other",
        ),
    }
}

/// A client-side idempotency key for a message.
pub fn client_id() -> crate::domain::ClientId {
    crate::domain::ClientId::random()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verified_customer_reads_as_their_id_and_email() {
        let mut customer = VerifiedCustomer {
            id: "42".into(),
            email: Some("sari@example.com".into()),
        };
        assert_eq!(
            verified_detail(Locale::en, &customer),
            "Customer id 42 · sari@example.com"
        );
        customer.email = None;
        assert_eq!(verified_detail(Locale::en, &customer), "Customer id 42");
        assert_eq!(verified_detail(Locale::id, &customer), "ID pelanggan 42");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(Locale::en, Timestamp(0), 500), "just now");
        assert_eq!(ago(Locale::en, Timestamp(0), 3_000), "3 s ago");
        assert_eq!(ago(Locale::en, Timestamp(0), 300_000), "5 min ago");
        assert_eq!(ago(Locale::en, Timestamp(0), 7_200_000), "2 h ago");
        assert_eq!(ago(Locale::id, Timestamp(0), 300_000), "5 menit lalu");
        assert_eq!(elapsed(Locale::en, Timestamp(0), 500), "0 s");
        assert_eq!(elapsed(Locale::en, Timestamp(0), 300_000), "5 min");
        assert_eq!(elapsed(Locale::id, Timestamp(0), 7_200_000), "2 jam");
    }
}
