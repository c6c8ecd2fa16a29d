//! Webhook endpoints, as admins manage them: register, change, rotate the secret, remove,
//! read the delivery log and send a delivery again. Each change is audited.

use base64::Engine as _;
use rand::RngCore;

use super::admin::record;
use super::Services;
use crate::domain::webhook::{
    Delivery, DeliveryLog, EndpointWithSecret, EventFilter, WebhookEndpoint,
};
use crate::domain::{AuditAction, Timestamp};
use crate::error::ApiError;

/// How long the secret before a rotation still signs, so receivers can switch over.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest endpoint address accepted.
const MAX_URL_CHARS: usize = 2_000;
/// Deliveries the log shows at most.
const MAX_LOG: u32 = 200;

/// Registers an endpoint; its secret is in the answer and never shown again.
pub async fn create(
    services: &Services,
    url: &str,
    events: Option<Vec<String>>,
) -> Result<EndpointWithSecret, ApiError> {
    let admin = super::admin::require_admin(services).await?;
    let endpoint = WebhookEndpoint {
        id: uuid::Uuid::new_v4().to_string(),
        url: checked_url(url)?,
        events: EventFilter::parse(events).map_err(ApiError::bad_input)?,
        enabled: true,
        disabled_reason: None,
        created_at: services.now(),
        previous_secret_until: None,
    };
    let key = new_key();
    services.store.create_webhook(&endpoint, &key).await?;
    record(
        services,
        &admin,
        AuditAction::WebhookCreated,
        described(&endpoint),
    )
    .await;
    Ok(EndpointWithSecret {
        endpoint,
        secret: format!("whsec_{key}"),
    })
}

/// Every endpoint (admins only).
pub async fn list(services: &Services) -> Result<Vec<WebhookEndpoint>, ApiError> {
    super::admin::require_admin(services).await?;
    Ok(services.store.webhooks().await?)
}

/// Replaces an endpoint's address, events (None: all) and enabled state; enabling it
/// clears the reason Baton disabled it.
pub async fn update(
    services: &Services,
    id: &str,
    url: &str,
    events: Option<Vec<String>>,
    enabled: bool,
) -> Result<WebhookEndpoint, ApiError> {
    let admin = super::admin::require_admin(services).await?;
    let mut endpoint = existing(services, id).await?;
    endpoint.url = checked_url(url)?;
    endpoint.events = EventFilter::parse(events).map_err(ApiError::bad_input)?;
    endpoint.enabled = enabled;
    if enabled {
        endpoint.disabled_reason = None;
    }
    services.store.update_webhook(&endpoint).await?;
    record(
        services,
        &admin,
        AuditAction::WebhookChanged,
        described(&endpoint),
    )
    .await;
    Ok(endpoint)
}

/// Gives an endpoint a new secret (shown once); the old one signs beside it for a day.
pub async fn rotate(services: &Services, id: &str) -> Result<EndpointWithSecret, ApiError> {
    let admin = super::admin::require_admin(services).await?;
    existing(services, id).await?;
    let key = new_key();
    let until = Timestamp(services.now().millis() + ROTATION_OVERLAP_MS);
    let endpoint = services.store.rotate_webhook(id, &key, until).await?;
    record(
        services,
        &admin,
        AuditAction::WebhookRotated,
        described(&endpoint),
    )
    .await;
    Ok(EndpointWithSecret {
        endpoint,
        secret: format!("whsec_{key}"),
    })
}

/// Removes an endpoint and its delivery log.
pub async fn delete(services: &Services, id: &str) -> Result<(), ApiError> {
    let admin = super::admin::require_admin(services).await?;
    let endpoint = existing(services, id).await?;
    services.store.delete_webhook(id).await?;
    record(
        services,
        &admin,
        AuditAction::WebhookDeleted,
        described(&endpoint),
    )
    .await;
    Ok(())
}

/// An endpoint's latest deliveries with every attempt (admins only).
pub async fn deliveries(
    services: &Services,
    endpoint: &str,
    limit: Option<u32>,
) -> Result<Vec<DeliveryLog>, ApiError> {
    super::admin::require_admin(services).await?;
    existing(services, endpoint).await?;
    let limit = limit.unwrap_or(50).clamp(1, MAX_LOG);
    Ok(services.store.webhook_deliveries(endpoint, limit).await?)
}

/// Sends a delivery again, with the same `webhook-id` (admins only).
pub async fn replay(services: &Services, delivery: &str) -> Result<Delivery, ApiError> {
    let admin = super::admin::require_admin(services).await?;
    let replayed = services
        .store
        .replay_delivery(delivery, services.now())
        .await
        .map_err(|err| match err {
            super::StoreError::NotFound => ApiError::not_found("No such delivery"),
            other => other.into(),
        })?;
    let detail = format!("{} ({})", replayed.id, replayed.event_type);
    record(services, &admin, AuditAction::WebhookReplayed, detail).await;
    Ok(replayed)
}

async fn existing(services: &Services, id: &str) -> Result<WebhookEndpoint, ApiError> {
    services
        .store
        .webhook(id)
        .await?
        .ok_or_else(|| ApiError::not_found("No such webhook endpoint"))
}

/// How the audit log describes an endpoint.
fn described(endpoint: &WebhookEndpoint) -> String {
    let state = if endpoint.enabled {
        "enabled"
    } else {
        "disabled"
    };
    format!(
        "{} for {} ({state})",
        endpoint.url,
        endpoint.events.stored()
    )
}

/// 32 random bytes, base64: the key an endpoint's signatures are made with.
fn new_key() -> String {
    let mut key = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    base64::engine::general_purpose::STANDARD.encode(key)
}

/// An absolute `http` or `https` address with a host and no credentials in it. Where it
/// may point (not a private address unless allowed) is checked when it is sent to, on
/// the address it resolves to then.
pub fn checked_url(raw: &str) -> Result<String, ApiError> {
    let raw = raw.trim();
    let refuse = |why: &str| Err(ApiError::bad_input(format!("The endpoint URL {why}")));
    if raw.chars().count() > MAX_URL_CHARS {
        return refuse("is longer than 2,000 characters");
    }
    let Ok(uri) = raw.parse::<http::Uri>() else {
        return refuse("is not a valid URL");
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return refuse("must start with https:// (or http://)");
    }
    let Some(authority) = uri.authority() else {
        return refuse("has no host");
    };
    if authority.as_str().contains('@') {
        return refuse("must not carry a user name or password");
    }
    if authority.host().is_empty() {
        return refuse("has no host");
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_url_is_absolute_http_with_a_host_and_no_credentials() {
        assert!(checked_url("https://hooks.shop.example/baton").is_ok());
        assert!(checked_url(" http://127.0.0.1:9000/in ").is_ok());
        for bad in [
            "",
            "hooks.shop.example",
            "ftp://hooks.shop.example",
            "https://user:pw@hooks.shop.example/",
            "javascript:alert(1)",
            "https:///path",
        ] {
            assert!(checked_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_key_is_32_random_bytes() {
        let key = new_key();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&key)
            .unwrap();
        assert_eq!(bytes.len(), 32);
        assert_ne!(key, new_key());
    }
}
