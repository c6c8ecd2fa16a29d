//! Admins: webhook endpoints (register, change, rotate the secret, remove) and the delivery
//! log (read, send again). Each function checks the admin role first, in
//! [`crate::backend::webhooks`], which does the work.

use leptos::prelude::*;

use crate::domain::webhook::{Delivery, DeliveryLog, EndpointWithSecret, WebhookEndpoint};
use crate::error::ApiError;

/// Registers an endpoint for `events` (all when left out); the answer carries its secret,
/// shown this once.
#[server(prefix = "/api", endpoint = "admin/webhooks/create", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn create_webhook(
    url: String,
    events: Option<Vec<String>>,
) -> Result<EndpointWithSecret, ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::create(&Services::from_context()?, &url, events).await
}

/// Every endpoint.
#[server(prefix = "/api", endpoint = "admin/webhooks/list", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn list_webhooks() -> Result<Vec<WebhookEndpoint>, ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::list(&Services::from_context()?).await
}

/// Replaces an endpoint's address, events (left out: all) and enabled state.
#[server(prefix = "/api", endpoint = "admin/webhooks/update", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn update_webhook(
    endpoint_id: String,
    url: String,
    events: Option<Vec<String>>,
    enabled: bool,
) -> Result<WebhookEndpoint, ApiError> {
    use crate::backend::{webhooks, Services};

    let services = Services::from_context()?;
    webhooks::update(&services, &endpoint_id, &url, events, enabled).await
}

/// Gives an endpoint a new secret, shown this once; the old one signs beside it for a day.
#[server(prefix = "/api", endpoint = "admin/webhooks/rotate", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn rotate_webhook(endpoint_id: String) -> Result<EndpointWithSecret, ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::rotate(&Services::from_context()?, &endpoint_id).await
}

/// Removes an endpoint and its delivery log.
#[server(prefix = "/api", endpoint = "admin/webhooks/delete", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn delete_webhook(endpoint_id: String) -> Result<(), ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::delete(&Services::from_context()?, &endpoint_id).await
}

/// An endpoint's latest deliveries (at most `limit`, 50 by default), each with its attempts.
#[server(prefix = "/api", endpoint = "admin/webhooks/deliveries", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn webhook_deliveries(
    endpoint_id: String,
    limit: Option<u32>,
) -> Result<Vec<DeliveryLog>, ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::deliveries(&Services::from_context()?, &endpoint_id, limit).await
}

/// Sends a delivery again now, with the same `webhook-id`.
#[server(prefix = "/api", endpoint = "admin/webhooks/replay", input = server_fn::codec::Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema))]
pub async fn replay_delivery(delivery_id: String) -> Result<Delivery, ApiError> {
    use crate::backend::{webhooks, Services};

    webhooks::replay(&Services::from_context()?, &delivery_id).await
}
