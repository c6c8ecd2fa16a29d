//! The customer's side of a conversation: starting it, writing into it (the AI answers when
//! it handles the conversation), reading what the customer may see, and asking for a person.

use super::identity::{Identity, IdentityError};
use super::{
    ai, auth, handoff::publish, Limit, NewAudit, NewConversation, NewMessage, Origin, Services,
};
use crate::domain::analytics::{self, Rating, MAX_COMMENT_CHARS};
use crate::domain::{
    Answering, AuditAction, Author, ClientId, ConversationId, DisplayName, Email, EscalationReason,
    Event, Locale, Message, MessageBody, Mode, Notice, Refusal,
};
use crate::error::ApiError;

/// The display name of a customer who gives none.
const GUEST: &str = "Guest";

/// Starts a conversation in AI mode; returns it with the customer's secret token. With a
/// verified `identity` token whose customer already has an open conversation, that one is
/// resumed (with a token of its own for this browser) instead.
#[tracing::instrument(skip_all)]
pub async fn start(
    services: &Services,
    display_name: Option<&str>,
    identity: Option<&str>,
    locale: Option<Locale>,
    came_from: CameFrom<'_>,
) -> Result<(ConversationId, String), ApiError> {
    services.limit(Limit::StartPerAddress, &auth::client_address())?;
    let page = came_from
        .page
        .map(crate::domain::contact::page_of)
        .transpose()
        .map_err(ApiError::bad_input)?;
    let identity = verify_identity(services, identity)?;
    if let Some(identity) = &identity {
        if let Some(open) = services
            .store
            .open_conversation_of(&identity.customer.id)
            .await?
        {
            return resume(services, open).await;
        }
    }
    let customer_name = match (&identity, display_name.map(str::trim)) {
        (
            Some(Identity {
                name: Some(name), ..
            }),
            _,
        ) => name.clone(),
        (_, None | Some("")) => DisplayName::parse(GUEST)?,
        (_, Some(name)) => DisplayName::parse(name)?,
    };
    let (token, token_hash) = auth::new_token();
    let new = NewConversation {
        id: ConversationId::new(),
        customer_name,
        token_hash,
        verified: identity.map(|identity| identity.customer),
        locale: locale.unwrap_or_else(auth::browser_locale),
        origin: Origin {
            visitor: visitor_before(services, came_from.held).await?,
            device: auth::browser_device(),
            page,
        },
    };
    let conversation = services
        .store
        .create_conversation(new, services.now())
        .await?;
    let events = services
        .store
        .events(conversation.id, 0, conversation.last_seq as u32)
        .await?;
    services.publisher.publish(&conversation, &events);
    tracing::info!(conversation_id = %conversation.id, "conversation started");
    Ok((conversation.id, token))
}

/// What the customer's browser says about where a new chat comes from.
#[derive(Debug, Clone, Copy, Default)]
pub struct CameFrom<'a> {
    /// The conversation the browser held before (its id and token): the new one joins its
    /// visitor, so the agents see the customer's history.
    pub held: Option<(ConversationId, &'a str)>,
    /// The page the chat starts from (the widget's host page).
    pub page: Option<&'a str>,
}

/// The visitor of the conversation the browser `held`, if its token proves it; a held
/// conversation that is gone or not the browser's starts a new visitor instead.
async fn visitor_before(
    services: &Services,
    held: Option<(ConversationId, &str)>,
) -> Result<Option<String>, ApiError> {
    let Some((id, token)) = held else {
        return Ok(None);
    };
    match auth::check_customer(services, id, token).await {
        Ok(()) => Ok(Some(services.store.visitor_of(id).await?)),
        Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The host site identified the customer (`Baton.identify`): returns the conversation this
/// browser should show, if any. The one it `held` stays when it is this customer's, or is
/// anonymous and this customer has no other open conversation (it then becomes theirs); the
/// customer's open conversation elsewhere is resumed; a conversation of another verified
/// customer is never shown (a shared computer), and with nothing to show the customer gets the
/// start form. A refused token changes nothing.
#[tracing::instrument(skip_all)]
pub async fn identify(
    services: &Services,
    identity: &str,
    held: Option<(ConversationId, &str)>,
) -> Result<Option<(ConversationId, String)>, ApiError> {
    services.limit(Limit::StartPerAddress, &auth::client_address())?;
    let identity = verify_identity(services, Some(identity))?.ok_or(IdentityError::Malformed)?;
    let open = services
        .store
        .open_conversation_of(&identity.customer.id)
        .await?;
    let held = match held {
        None => None,
        Some((id, token)) => match auth::customer_conversation(services, id, token).await {
            Ok(conversation) if conversation.mode != Mode::Closed => {
                Some((conversation, token.to_owned()))
            }
            Ok(_) | Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) => None,
            Err(err) => return Err(err),
        },
    };
    match (held, open) {
        (Some((held, token)), _)
            if held
                .verified
                .as_ref()
                .is_some_and(|verified| verified.id == identity.customer.id) =>
        {
            Ok(Some((held.id, token)))
        }
        (_, Some(open)) => resume(services, open).await.map(Some),
        (Some((held, token)), None) if held.verified.is_none() => {
            let name = match identity.name {
                Some(name) => name,
                None => DisplayName::parse(&held.customer_name)?,
            };
            let committed = services
                .store
                .verify_customer(held.id, name, identity.customer, services.now())
                .await?;
            Ok(committed.map(|committed| {
                publish(services, &committed);
                tracing::info!(conversation_id = %held.id, "customer verified");
                (held.id, token)
            }))
        }
        _ => Ok(None),
    }
}

/// Checks the host site's identity token when one is given; without one, refuses when every
/// customer must be verified (`--require-identity`).
fn verify_identity(services: &Services, token: Option<&str>) -> Result<Option<Identity>, ApiError> {
    match token.map(str::trim).filter(|token| !token.is_empty()) {
        Some(token) => {
            let key = services
                .identity
                .as_ref()
                .ok_or(IdentityError::NotConfigured)?;
            let identity = key.verify(token, services.now()).inspect_err(|err| {
                tracing::warn!(reason = %err, "identity token refused");
            })?;
            Ok(Some(identity))
        }
        None if services.require_identity => Err(ApiError::unauthorized(
            "This chat is for signed-in customers: please sign in on the site first",
        )),
        None => Ok(None),
    }
}

/// Gives this browser a token of its own for the verified customer's open conversation `id`.
async fn resume(
    services: &Services,
    id: ConversationId,
) -> Result<(ConversationId, String), ApiError> {
    let (token, token_hash) = auth::new_token();
    services
        .store
        .add_customer_key(id, &token_hash, services.now())
        .await?;
    tracing::info!(conversation_id = %id, "verified customer resumed the conversation");
    Ok((id, token))
}

/// Appends the customer's message (a repeated `client_id` returns the first one) and, in AI
/// mode, lets the AI answer in the background.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn send(
    services: &Services,
    id: ConversationId,
    token: &str,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, ApiError> {
    auth::check_customer(services, id, token).await?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let message = NewMessage {
        author: Author::Customer,
        body,
        client_id: Some(client_id),
        decided_at: None,
        file: None,
    };
    let appended = services.append(id, message).await?;
    if appended.created && appended.conversation.mode == Mode::Ai {
        tokio::spawn(ai::respond(
            services.clone(),
            appended.conversation.clone(),
            appended.event.seq,
        ));
    }
    appended.into_message()
}

/// What the customer may see after `after_seq`: events without notes and reasons, who
/// answers now, and the last seq to resume from.
pub async fn history(
    services: &Services,
    id: ConversationId,
    token: &str,
    after_seq: u64,
) -> Result<(Vec<Event>, Answering, u64, Locale), ApiError> {
    let conversation = auth::customer_conversation(services, id, token).await?;
    let events = services
        .store
        .events(id, after_seq, 1_000)
        .await?
        .iter()
        .filter_map(Event::customer_view)
        .collect();
    Ok((
        events,
        Answering::of(&conversation),
        conversation.last_seq,
        conversation.locale,
    ))
}

/// The customer chose another language on the page: every notice from now on is in it.
#[tracing::instrument(skip_all, fields(conversation_id = %id, locale = locale.code()))]
pub async fn set_language(
    services: &Services,
    id: ConversationId,
    token: &str,
    locale: Locale,
) -> Result<(), ApiError> {
    auth::check_customer(services, id, token).await?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    if let Some(committed) = services
        .store
        .set_locale(id, locale, services.now())
        .await?
    {
        publish(services, &committed);
    }
    Ok(())
}

/// The customer asks for a person: an AI-handled conversation waits for a human. Nothing to
/// do when a person already has it or it already waits.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn request_human(
    services: &Services,
    id: ConversationId,
    token: &str,
) -> Result<(), ApiError> {
    let conversation = auth::customer_conversation(services, id, token).await?;
    match conversation.mode {
        Mode::Closed => Err(ApiError::refused(Refusal::Closed, &conversation, None)),
        Mode::Human { .. } => Ok(()),
        Mode::Ai => {
            ai::escalate(
                services,
                id,
                EscalationReason::CustomerAsked,
                Some("The customer pressed \"Talk to a person\"".into()),
            )
            .await?;
            Ok(())
        }
    }
}

/// The customer leaves an e-mail address: agents see it on the conversation, and the
/// customer is thanked. A malformed address changes nothing.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn leave_contact(
    services: &Services,
    id: ConversationId,
    token: &str,
    email: &str,
) -> Result<(), ApiError> {
    let conversation = auth::customer_conversation(services, id, token).await?;
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let email = Email::parse(email)?;
    let notice = MessageBody::parse(&Notice::contact_left(conversation.locale, email.as_str()))?;
    let committed = services
        .store
        .leave_contact(id, email, notice, services.now())
        .await?;
    publish(services, &committed);
    services
        .audit(NewAudit {
            actor: None,
            action: AuditAction::ContactLeft,
            conversation_id: Some(id),
            detail: None,
        })
        .await;
    Ok(())
}

/// The customer rates the conversation an agent just closed (or, with
/// `--csat-after-handover`, handed back to the AI) — 1–5, an optional comment of at most 500
/// characters — once per close or handover, attributed to the agent who last owned it. Bad input
/// is a 400 and stores nothing; an open conversation or a second rating is a 409.
#[tracing::instrument(skip_all, fields(conversation_id = %id))]
pub async fn rate(
    services: &Services,
    id: ConversationId,
    token: &str,
    score: u8,
    comment: Option<&str>,
) -> Result<(), ApiError> {
    auth::check_customer(services, id, token).await?;
    if !(1..=5).contains(&score) {
        return Err(ApiError::bad_input("A rating is 1 to 5"));
    }
    let comment = comment.map(str::trim).filter(|comment| !comment.is_empty());
    if let Some(comment) = comment {
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(ApiError::bad_input(format!(
                "A comment is at most {MAX_COMMENT_CHARS} characters"
            )));
        }
        MessageBody::parse(comment)?;
    }
    services.limit(Limit::SendPerConversation, &id.to_string())?;
    let log = services.store.events(id, 0, u32::MAX).await?;
    let Some((segment_seq, agent)) = analytics::rated_segment(&log, services.csat_after_handover)
    else {
        return Err(ApiError::conflict(
            "This conversation is still open: rate it once it has ended",
        ));
    };
    let rating = Rating {
        conversation_id: id,
        segment_seq,
        agent,
        rating: score,
        comment: comment.map(str::to_owned),
        at: services.now(),
    };
    if !services.store.insert_rating(rating).await? {
        return Err(ApiError::conflict(
            "You have already rated this conversation",
        ));
    }
    tracing::info!(score, "conversation rated");
    Ok(())
}
