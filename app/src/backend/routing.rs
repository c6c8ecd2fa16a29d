//! Changes Baton makes itself, decided by the rule book ([`Mode::route`]) and written with
//! the same conditional update as an agent's, so an agent racing them has exactly one winner:
//! the assigner giving a waiting conversation to an agent, and a conversation going back to
//! the queue (no reply, owner offline, owner stepping away and releasing it).
//!
//! [`Mode::route`]: crate::domain::Mode::route

use super::handoff::publish;
use super::{NewAudit, Services, StoreError, TransitionPatch};
use crate::domain::{
    AgentId, AgentRef, AuditAction, Availability, Conversation, ConversationId, EscalationReason,
    EventKind, Notice, Routing, TransferTarget,
};

/// How often a routing change is decided again after a concurrent change.
const ATTEMPTS: usize = 8;

/// Puts a conversation back in the queue if `owner` still has it; the conversation after,
/// or `None` when someone else acted first (the owner replied, handed over, closed).
#[tracing::instrument(skip_all, fields(conversation_id = %id, reason = reason.as_str()))]
pub async fn requeue(
    services: &Services,
    id: ConversationId,
    owner: AgentId,
    reason: EscalationReason,
) -> Option<Conversation> {
    let routing = Routing::Requeue { owner, reason };
    let requeued = commit(services, id, routing, |conversation| {
        let from = conversation.owner.clone().unwrap_or(AgentRef {
            id: owner,
            name: "an agent".into(),
        });
        (
            vec![
                EventKind::Requeued {
                    from: from.clone(),
                    reason,
                },
                EventKind::product_notice(&Notice::requeued(conversation.locale)),
            ],
            NewAudit {
                actor: None,
                action: AuditAction::Requeue,
                conversation_id: Some(id),
                detail: Some(format!("{} from {}", reason.as_str(), from.name)),
            },
        )
    })
    .await;
    if requeued.is_some() {
        tracing::info!("back in the queue");
    }
    requeued
}

/// Gives a waiting conversation to `to` (who the assigner found online with room); the
/// customer hears the takeover sentence with their name. `None` when the conversation no
/// longer waits or someone took it first.
#[tracing::instrument(skip_all, fields(conversation_id = %id, agent_id = %to.id))]
pub async fn assign(
    services: &Services,
    id: ConversationId,
    to: &AgentRef,
) -> Option<Conversation> {
    let target = TransferTarget {
        agent: to.id,
        status: Availability::Online,
        has_capacity: true,
    };
    commit(services, id, Routing::Assign(target), |conversation| {
        (
            vec![
                EventKind::Assigned { agent: to.clone() },
                EventKind::product_notice(&Notice::takeover(conversation.locale, &to.name)),
            ],
            NewAudit {
                actor: None,
                action: AuditAction::Assign,
                conversation_id: Some(id),
                detail: Some(format!("to {}", to.name)),
            },
        )
    })
    .await
}

/// Decides `routing` on the latest state and writes it with a conditional update; `None`
/// when the rule book refuses it.
async fn commit(
    services: &Services,
    id: ConversationId,
    routing: Routing,
    describe: impl Fn(&Conversation) -> (Vec<EventKind>, NewAudit),
) -> Option<Conversation> {
    for _ in 0..ATTEMPTS {
        let conversation = services.store.conversation(id).await.ok()?;
        // The assigner takes only conversations that still wait.
        if matches!(routing, Routing::Assign(_)) && conversation.waiting.is_none() {
            return None;
        }
        let transition = conversation.mode.route(routing).ok()?;
        let (events, audit) = describe(&conversation);
        let waiting = match routing {
            Routing::Requeue { reason, .. } => Some(reason),
            Routing::Assign(_) => None,
        };
        let patch = TransitionPatch {
            mode: transition.to,
            waiting,
            brief: None,
            brief_for_customer: false,
            events,
            audit: Some(audit),
        };
        match services
            .store
            .commit_transition(id, conversation.version, patch, services.now())
            .await
        {
            Ok(committed) => {
                publish(services, &committed);
                return Some(committed.conversation);
            }
            Err(StoreError::VersionConflict) => continue,
            Err(err) => {
                tracing::warn!(%err, "routing change not written");
                return None;
            }
        }
    }
    None
}
