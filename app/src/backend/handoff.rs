//! Take over, hand over, transfer, close, reopen, and sending as an agent: load the
//! conversation, decide with the rule book ([`crate::domain::Mode::apply`]), write with a conditional update
//! on its version, publish. Refusals are told as the rule book's table says.

use super::{CommittedTransition, NewAudit, NewMessage, Services, StoreError, TransitionPatch};
use crate::domain::note;
use crate::domain::{
    Actor, Agent, AgentId, AgentRef, AuditAction, Author, ClientId, Command, Conversation,
    ConversationId, EventKind, Message, MessageBody, ModeChange, Note, Notice, TransferTarget,
    Transition,
};
use crate::error::ApiError;

/// How often a transition is re-decided when another change slipped in between the read
/// and the conditional write. Each retry re-reads, so a lost race ends in a refusal.
const MAX_ATTEMPTS: usize = 16;

/// What an agent asks for, before the target of a transfer is looked up.
#[derive(Debug, Clone)]
pub enum Request {
    TakeOver,
    ForceTakeOver {
        reason: Note,
    },
    /// `for_customer`: the AI may pass the brief on to the customer.
    HandOver {
        brief: Option<Note>,
        for_customer: bool,
    },
    Transfer {
        to: AgentId,
        note: Option<Note>,
    },
    Close,
    Reopen,
}

impl Request {
    /// The request's kind, for logs: notes, briefs and reasons are never logged.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::TakeOver => "take_over",
            Request::ForceTakeOver { .. } => "force_take_over",
            Request::HandOver { .. } => "hand_over",
            Request::Transfer { .. } => "transfer",
            Request::Close => "close",
            Request::Reopen => "reopen",
        }
    }
}

/// Applies a request of the signed-in agent (the body of every hand-off endpoint).
pub async fn by_signed_in_agent(
    id: ConversationId,
    request: Request,
) -> Result<Conversation, ApiError> {
    let services = Services::from_context()?;
    let agent = super::auth::current_agent(&services).await?;
    apply(&services, id, &agent, request).await
}

/// Applies a request to a conversation: load, decide with [`crate::domain::Mode::apply`], write with a
/// conditional update on the version, publish. Exactly one of several racing requests wins;
/// the others get a refusal naming the winner.
#[tracing::instrument(skip_all, fields(conversation_id = %id, agent_id = %agent.id, request = request.kind()))]
pub async fn apply(
    services: &Services,
    id: ConversationId,
    agent: &Agent,
    request: Request,
) -> Result<Conversation, ApiError> {
    let actor = Actor {
        agent: agent.id,
        role: agent.role,
    };
    let target = match &request {
        Request::Transfer { to, .. } => Some(transfer_target(services, *to).await?),
        _ => None,
    };
    let command = match (&request, target.as_ref()) {
        (Request::TakeOver, _) => Command::TakeOver,
        (Request::ForceTakeOver { .. }, _) => Command::ForceTakeOver,
        (Request::HandOver { .. }, _) => Command::HandOver,
        (Request::Transfer { .. }, Some((target, _))) => Command::Transfer(*target),
        (Request::Transfer { .. }, None) => unreachable!("a transfer always has a target"),
        (Request::Close, _) => Command::Close,
        (Request::Reopen, _) => Command::Reopen,
    };

    for _ in 0..MAX_ATTEMPTS {
        let conversation = services.store.conversation(id).await?;
        let transition = conversation
            .mode
            .apply(&command, &actor)
            .map_err(|refusal| {
                ApiError::refused(refusal, &conversation, target.as_ref().map(|(_, to)| to))
            })?;
        let patch = TransitionPatch {
            audit: Some(audit_entry(agent, id, &request, target.as_ref())),
            ..patch_for(&transition, agent, &request, target.as_ref(), &conversation)
        };
        match services
            .store
            .commit_transition(id, conversation.version, patch, services.now())
            .await
        {
            Ok(committed) => {
                tracing::info!(from = ?transition.from, to = ?transition.to, "mode changed");
                publish(services, &committed);
                return Ok(committed.conversation);
            }
            Err(StoreError::VersionConflict) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::conflict(
        "The conversation is changing too quickly. Please try again.",
    ))
}

/// The audit-log entry of an applied request.
fn audit_entry(
    agent: &Agent,
    id: ConversationId,
    request: &Request,
    target: Option<&(TransferTarget, AgentRef)>,
) -> NewAudit {
    let (action, detail) = match request {
        Request::TakeOver => (AuditAction::TakeOver, None),
        Request::ForceTakeOver { reason } => {
            (AuditAction::ForceTakeOver, Some(reason.as_str().to_owned()))
        }
        Request::HandOver {
            brief,
            for_customer,
        } => (
            AuditAction::HandOver,
            brief.as_ref().map(|b| {
                let whose = if *for_customer {
                    "brief for the customer"
                } else {
                    "brief"
                };
                format!("{whose}: {b}")
            }),
        ),
        Request::Transfer { note, .. } => (
            AuditAction::Transfer,
            Some(format!(
                "to {}{}",
                target.map_or("another agent", |(_, to)| to.name.as_str()),
                note.as_ref()
                    .map(|n| format!("; note: {n}"))
                    .unwrap_or_default()
            )),
        ),
        Request::Close => (AuditAction::Close, None),
        Request::Reopen => (AuditAction::Reopen, None),
    };
    NewAudit {
        actor: Some(agent.reference()),
        action,
        conversation_id: Some(id),
        detail,
    }
}

/// Sends a message as the owning agent. A repeated `client_id` returns the first message.
#[tracing::instrument(skip_all, fields(conversation_id = %id, agent_id = %agent.id))]
pub async fn send_as_agent(
    services: &Services,
    id: ConversationId,
    agent: &Agent,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    let message = NewMessage {
        author: Author::Agent {
            agent: agent.reference(),
        },
        body,
        client_id: Some(client_id),
        decided_at: None,
        file: None,
    };
    services.append(id, message).await?.into_message()
}

/// Adds a private note to the conversation, from any signed-in agent (the owner or not, open
/// or closed): agents see it, the customer and the AI never do. Each `@name` of a colleague
/// in it is recorded as a mention, which notifies them.
#[tracing::instrument(skip_all, fields(conversation_id = %id, agent_id = %agent.id))]
pub async fn add_note(
    services: &Services,
    id: ConversationId,
    agent: &Agent,
    text: &str,
) -> Result<(), ApiError> {
    let text = Note::parse(text)?;
    let team: Vec<AgentRef> = services
        .store
        .agents()
        .await?
        .iter()
        .map(|overview| overview.agent.reference())
        .filter(|colleague| colleague.id != agent.id)
        .collect();
    let mentions = note::mentions(text.as_str(), &team);
    let kind = EventKind::NoteAdded {
        by: agent.reference(),
        text,
        mentions,
    };
    let committed = services
        .store
        .add_note(id, kind, services.now())
        .await?
        .ok_or_else(|| ApiError::not_found("No such conversation"))?;
    publish(services, &committed);
    Ok(())
}

/// Hands committed events to the publisher.
pub fn publish(services: &Services, committed: &CommittedTransition) {
    services
        .publisher
        .publish(&committed.conversation, &committed.events);
}

/// The transfer target as the rules need it, with their name.
async fn transfer_target(
    services: &Services,
    to: AgentId,
) -> Result<(TransferTarget, AgentRef), ApiError> {
    let overview = super::team::team(services)
        .await?
        .into_iter()
        .find(|overview| overview.agent.id == to)
        .ok_or_else(|| ApiError::not_found("No such agent"))?;
    let target = TransferTarget {
        agent: to,
        status: overview.agent.status,
        has_capacity: overview.has_capacity(),
    };
    Ok((target, overview.agent.reference()))
}

/// The events and state a transition writes, with the customer's notice in the product's words.
fn patch_for(
    transition: &Transition,
    agent: &Agent,
    request: &Request,
    target: Option<&(TransferTarget, AgentRef)>,
    conversation: &Conversation,
) -> TransitionPatch {
    let me = agent.reference();
    let locale = conversation.locale;
    let system = |text: String| EventKind::product_notice(&text);
    let note = |note: &Option<Note>| note.as_ref().map(|n| n.as_str().to_owned());
    // Only a brief there is can be for the customer.
    let brief_for_customer = matches!(
        request,
        Request::HandOver {
            brief: Some(_),
            for_customer: true,
        }
    );
    let (events, brief) = match (transition.change, request) {
        (ModeChange::TakenOver { .. }, _) => (
            vec![
                EventKind::TakenOver { agent: me.clone() },
                system(Notice::takeover(locale, &me.name)),
            ],
            None,
        ),
        (ModeChange::ForcedTakeover { from, .. }, Request::ForceTakeOver { reason }) => {
            let from = conversation.owner.clone().unwrap_or(AgentRef {
                id: from,
                name: "another agent".into(),
            });
            (
                vec![
                    EventKind::ForcedTakeover {
                        by: me.clone(),
                        from,
                        reason: reason.as_str().to_owned(),
                    },
                    system(Notice::takeover(locale, &me.name)),
                ],
                None,
            )
        }
        (ModeChange::HandedOver { .. }, Request::HandOver { brief, .. }) => (
            vec![
                EventKind::HandedOver {
                    by: me,
                    brief: note(brief),
                    for_customer: brief_for_customer,
                },
                system(Notice::handover(locale)),
            ],
            note(brief),
        ),
        (ModeChange::Transferred { .. }, Request::Transfer { note: text, .. }) => {
            let to = target
                .map(|(_, to)| to.clone())
                .expect("transfer has a target");
            (
                vec![
                    EventKind::Transferred {
                        from: me,
                        to: to.clone(),
                        note: note(text),
                    },
                    system(Notice::transfer(locale, &to.name)),
                ],
                None,
            )
        }
        (ModeChange::Closed { .. }, _) => (
            vec![EventKind::Closed { by: me }, system(Notice::closed(locale))],
            None,
        ),
        (ModeChange::Reopened { .. }, _) => (
            vec![
                EventKind::Reopened { by: me },
                system(Notice::reopened(locale)),
            ],
            None,
        ),
        (change, request) => {
            unreachable!("{change:?} does not follow from {request:?}")
        }
    };
    TransitionPatch {
        mode: transition.to,
        waiting: None,
        brief,
        brief_for_customer,
        events,
        audit: None,
    }
}
