//! The AI's turn after a customer message: let the customer finish, ask the responder,
//! append its reply only while the conversation is still the AI's at the version it
//! answered, escalate when it says so.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::handoff::publish;
use super::{NewMessage, Reply, ReplyContext, Services, Staffed, StoreError};
use crate::domain::{
    Author, Conversation, ConversationId, EscalationReason, EventKind, MessageBody, Mode, Notice,
};

/// How much of the transcript the AI sees: the last events up to the message it answers
/// (about twenty-five exchanges: enough for a model's context, cheap to read every turn).
const TRANSCRIPT_EVENTS: u32 = 50;

/// Where the transcript that ends at `seq` starts: the last [`TRANSCRIPT_EVENTS`] events.
fn transcript_start(seq: u64) -> u64 {
    seq.saturating_sub(u64::from(TRANSCRIPT_EVENTS))
}

/// How far past the message it answers a turn looks for a newer line from the customer.
const LOOK_AHEAD: u32 = 20;

/// Polite words for when the AI cannot answer at all.
pub const FALLBACK: &str = "I'm sorry, I can't answer right now. A member of our Customer Service team will take over shortly.";

/// However long a customer keeps typing, the AI answers this long after their line at the
/// latest (a client that reports typing forever cannot keep the AI silent).
const SETTLE_AT_MOST: Duration = Duration::from_secs(20);

/// After the customer's last keystroke, the AI waits this long for the line they are typing.
const TYPING_PAUSE: Duration = Duration::from_secs(3);

/// Keystrokes reported this soon after a line are the line's own (the typing signal and the
/// message travel separately and may arrive in either order).
const SAME_LINE: Duration = Duration::from_millis(250);

/// When the customer of each conversation last typed, as their sockets on this node report
/// it (every keystroke, before the dashboards' throttle). Lets the AI wait while a customer
/// who writes in several lines types the next one.
#[derive(Default)]
pub struct CustomerTyping {
    last: Mutex<Keystrokes>,
}

#[derive(Default)]
struct Keystrokes {
    at: HashMap<ConversationId, Instant>,
    /// The size at which keystrokes no turn waits for any more are swept out (twice what
    /// the last sweep kept, so a sweep costs a constant per keystroke).
    sweep_at: usize,
}

/// The smallest map that is swept.
const TYPING_SWEEP_AT: usize = 1_024;

impl CustomerTyping {
    /// The customer of `id` typed just now.
    pub fn typed(&self, id: ConversationId) {
        let now = Instant::now();
        let mut last = self.last.lock().expect("typing lock poisoned");
        if last.at.len() >= last.sweep_at.max(TYPING_SWEEP_AT) {
            last.at
                .retain(|_, at| now.saturating_duration_since(*at) < SETTLE_AT_MOST);
            last.sweep_at = last.at.len() * 2;
        }
        last.at.insert(id, now);
    }

    /// When the customer of `id` last typed, if this node heard it recently.
    pub fn last(&self, id: ConversationId) -> Option<Instant> {
        self.last
            .lock()
            .expect("typing lock poisoned")
            .at
            .get(&id)
            .copied()
    }
}

/// When the AI may answer a customer line written at `wrote`: once the customer has been
/// quiet for `settle` after it, or for [`TYPING_PAUSE`] after their last keystroke since,
/// whichever is later, and [`SETTLE_AT_MOST`] after the line whatever they do.
pub fn answer_at(wrote: Instant, settle: Duration, last_typed: Option<Instant>) -> Instant {
    let quiet = match last_typed {
        Some(typed) if typed > wrote + SAME_LINE => (wrote + settle).max(typed + TYPING_PAUSE),
        _ => wrote + settle,
    };
    quiet.min(wrote + SETTLE_AT_MOST)
}

/// Waits until the AI may answer the line the customer of `id` wrote at `wrote`
/// ([`answer_at`]); no wait when settling is off.
async fn let_the_customer_finish(services: &Services, id: ConversationId, wrote: Instant) {
    if services.ai_settle.is_zero() {
        return;
    }
    loop {
        let at = answer_at(wrote, services.ai_settle, services.customer_typing.last(id));
        if at <= Instant::now() {
            return;
        }
        tokio::time::sleep_until(at.into()).await;
    }
}

/// The AI's turn after the customer's message `asked` (its seq) in AI mode. Runs detached
/// from the request.
///
/// A customer often writes in several lines ("hi", "I ordered a jacket", then the
/// question), so the turn first lets them finish ([`let_the_customer_finish`]): a line
/// answered at once would be answered on its own, often with "I'm not sure", and two of
/// those in a row escalate.
///
/// The reply is appended only if the conversation is still in AI mode at the version it had
/// when the customer wrote: a reply still being computed when an agent takes over is
/// discarded, never posted. A turn whose customer has written again since gives way to the
/// turn of the newer line, which answers both: one answer for several lines in a row (and
/// a flood of lines costs one answer per turn the AI keeps up with, not one per line).
#[tracing::instrument(skip_all, fields(conversation_id = %conversation.id))]
pub async fn respond(services: Services, conversation: Conversation, asked: u64) {
    if conversation.mode != Mode::Ai {
        return;
    }
    let version = conversation.version;
    let id = conversation.id;
    let_the_customer_finish(&services, id, Instant::now()).await;
    // A free place among the turns computing now; by then the customer may have written again.
    let Ok(turn) = services.ai_turns.clone().acquire_owned().await else {
        return;
    };
    let events = match services
        .store
        .events(id, transcript_start(asked), TRANSCRIPT_EVENTS + LOOK_AHEAD)
        .await
    {
        Ok(events) => events,
        Err(err) => {
            tracing::error!(%err, "could not read the transcript for the AI");
            return;
        }
    };
    let written_again = events.iter().any(|event| {
        event.seq > asked
            && event
                .message()
                .is_some_and(|m| m.author == Author::Customer)
    });
    if written_again {
        tracing::debug!("the customer wrote again: that line's turn answers");
        return;
    }
    let transcript = events
        .into_iter()
        .take_while(|event| event.seq <= asked)
        .filter_map(|event| match event.kind {
            EventKind::Message { message } => {
                Some((message.author, message.body.as_str().to_owned()))
            }
            _ => None,
        })
        .collect();
    let context = ReplyContext {
        conversation,
        transcript,
    };
    let reply = services.responder.reply(context).await;
    drop(turn);
    let (text, escalation) = match reply {
        Ok(Reply::Answer { text, confidence }) => {
            tracing::debug!(confidence, "AI answered");
            (Some(text), None)
        }
        Ok(Reply::Escalate {
            text,
            reason,
            detail,
        }) => (text, Some((reason, detail))),
        Err(err) => {
            tracing::warn!(%err, "AI provider failed; escalating");
            (
                Some(FALLBACK.to_owned()),
                Some((EscalationReason::AiUnavailable, Some(err.to_string()))),
            )
        }
    };

    if let Some(text) = text {
        let Ok(body) = MessageBody::parse(&text) else {
            tracing::warn!("the AI produced an empty or oversized reply; dropped");
            return;
        };
        let message = NewMessage {
            author: Author::Ai,
            body,
            client_id: None,
            decided_at: Some(version),
            file: None,
        };
        match services.append(id, message).await {
            Ok(_) => {}
            Err(StoreError::Refused { refusal, .. }) => {
                tracing::info!(
                    ?refusal,
                    "AI reply discarded: the conversation changed hands"
                );
                return;
            }
            Err(err) => {
                tracing::error!(%err, "could not store the AI reply");
                return;
            }
        }
    }
    if let Some((reason, detail)) = escalation {
        if let Err(err) = escalate(&services, id, reason, detail).await {
            tracing::error!(%err, "could not mark the conversation waiting");
        }
    }
}

/// How long each quoted sentence of a summary may be.
const SUMMARY_QUOTE_CHARS: usize = 140;

/// A short extractive summary of what the customer said: their first message and their last
/// two, shortened. `None` before the customer said anything.
pub fn summarize(events: &[crate::domain::Event]) -> Option<String> {
    let said: Vec<&str> = events
        .iter()
        .filter_map(|event| event.message())
        .filter(|message| message.author == Author::Customer)
        .map(|message| message.body.as_str())
        .collect();
    let mut picked: Vec<&str> = Vec::new();
    for text in said
        .first()
        .into_iter()
        .chain(said.iter().rev().take(2).rev())
    {
        if !picked.contains(text) {
            picked.push(text);
        }
    }
    if picked.is_empty() {
        return None;
    }
    let shorten = |text: &str| match text.char_indices().nth(SUMMARY_QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    };
    Some(
        picked
            .into_iter()
            .map(|text| format!("\u{201c}{}\u{201d}", shorten(text)))
            .collect::<Vec<_>>()
            .join(" … "),
    )
}

/// Marks a conversation as waiting for a human, telling the customer a person will join.
/// Does nothing if it already waits or a human already handles it.
pub async fn escalate(
    services: &Services,
    id: crate::domain::ConversationId,
    reason: EscalationReason,
    detail: Option<String>,
) -> Result<Option<Conversation>, StoreError> {
    // The truth about who can answer: a person soon, or nobody until the team is back.
    let conversation = services.store.conversation(id).await?;
    let notice = match services.staffing.staffed(services.now()).await {
        Staffed::Open => Notice::waiting(conversation.locale),
        Staffed::Offline { back } => Notice::offline(conversation.locale, back.as_ref()),
    };
    let notice = MessageBody::parse(&notice).expect("product copy is a valid message");
    // The summary quotes the customer's first message and their last ones: the first events
    // and, in a long conversation, the last ones too.
    let mut events = services.store.events(id, 0, TRANSCRIPT_EVENTS).await?;
    let read = events.last().map_or(0, |event| event.seq);
    if conversation.last_seq > read {
        let from = read.max(transcript_start(conversation.last_seq));
        events.extend(services.store.events(id, from, TRANSCRIPT_EVENTS).await?);
    }
    let committed = services
        .store
        .mark_waiting(
            id,
            reason,
            detail,
            summarize(&events),
            notice,
            services.now(),
        )
        .await?;
    Ok(committed.map(|committed| {
        tracing::info!(?reason, "conversation waits for a human");
        publish(services, &committed);
        committed.conversation
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Duration = Duration::from_secs(1);

    #[test]
    fn a_quiet_customer_is_answered_once_the_settling_time_has_passed() {
        let wrote = Instant::now();
        assert_eq!(answer_at(wrote, SETTLE, None), wrote + SETTLE);
        // The keystrokes of the line itself, heard just before or just after it, change
        // nothing.
        let before = wrote.checked_sub(Duration::from_millis(300));
        assert_eq!(answer_at(wrote, SETTLE, before), wrote + SETTLE);
        let just_after = wrote + Duration::from_millis(100);
        assert_eq!(answer_at(wrote, SETTLE, Some(just_after)), wrote + SETTLE);
    }

    #[test]
    fn a_customer_typing_again_is_answered_after_they_pause() {
        let wrote = Instant::now();
        let typed = wrote + Duration::from_millis(800);
        assert_eq!(answer_at(wrote, SETTLE, Some(typed)), typed + TYPING_PAUSE);
    }

    #[test]
    fn no_amount_of_typing_keeps_the_ai_waiting_past_the_limit() {
        let wrote = Instant::now();
        let typed = wrote + Duration::from_secs(19);
        assert_eq!(
            answer_at(wrote, SETTLE, Some(typed)),
            wrote + SETTLE_AT_MOST
        );
        assert_eq!(
            answer_at(wrote, Duration::from_secs(60), None),
            wrote + SETTLE_AT_MOST
        );
    }

    #[test]
    fn typing_is_remembered_per_conversation() {
        let typing = CustomerTyping::default();
        let (one, other) = (ConversationId::new(), ConversationId::new());
        typing.typed(one);
        assert!(typing.last(one).is_some());
        assert!(typing.last(other).is_none());
    }

    #[test]
    fn keystrokes_nobody_waits_for_are_swept_out() {
        let typing = CustomerTyping::default();
        // (A monotonic clock cannot go back further than the machine's boot.)
        let Some(long_ago) = Instant::now().checked_sub(SETTLE_AT_MOST * 2) else {
            return;
        };
        {
            let mut last = typing.last.lock().unwrap();
            for _ in 0..TYPING_SWEEP_AT {
                last.at.insert(ConversationId::new(), long_ago);
            }
        }
        let now = ConversationId::new();
        typing.typed(now);
        let last = typing.last.lock().unwrap();
        assert_eq!(last.at.len(), 1);
        assert!(last.at.contains_key(&now));
    }
}
