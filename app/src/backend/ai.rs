//! The AI's turn after a customer message: ask the responder, append its reply only while
//! the conversation is still the AI's at the version it answered, escalate when it says so.

use super::handoff::publish;
use super::{NewMessage, Reply, ReplyContext, Services, Staffed, StoreError};
use crate::domain::{Author, Conversation, EscalationReason, EventKind, MessageBody, Mode, Notice};

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

/// The AI's turn after the customer's message `asked` (its seq) in AI mode. Runs detached
/// from the request.
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
