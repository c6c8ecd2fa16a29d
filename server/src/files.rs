//! Photos and documents over HTTP: a customer or the owning agent sends one as
//! `multipart/form-data` (one request: the file becomes a message), and anyone who may read
//! the conversation fetches it from Baton's own origin, with a policy that can run nothing.
//!
//! - `POST /api/chat/attach` — fields `conversation_id`, `token`, `client_id`, optional
//!   `caption`, and `file`; answers the stored [`app::domain::Message`].
//! - `POST /api/conversations/attach` — the same for the signed-in owner (no `token`).
//! - `GET /api/files/{id}` — agents by their session cookie; a customer sends their
//!   conversation's token in the `X-Baton-Token` header (never in the URL).

use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use app::backend::files::{self, Reader};
use app::backend::{auth, StoredFile};
use app::domain::{AttachmentId, ClientId, ConversationId, MAX_ATTACHMENT_BYTES};
use app::error::ApiError;

use crate::guard::{cross_origin, error_response, origin_allowed};
use crate::state::AppState;

/// The largest upload request: the largest file and room for the other fields.
pub const MAX_UPLOAD_BYTES: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The header a customer's page sends its conversation token in.
pub const TOKEN_HEADER: &str = "x-baton-token";

/// The policy a served file goes out with: it may show itself (an image, a PDF opened by the
/// browser's own viewer) and nothing else — no script, no plugin, no form, in a sandbox.
pub const FILE_POLICY: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; \
     sandbox; frame-ancestors 'self'";

/// The fields of an upload.
#[derive(Default)]
struct Upload {
    conversation_id: Option<String>,
    token: Option<String>,
    client_id: Option<String>,
    caption: Option<String>,
    file: Option<(String, Vec<u8>)>,
}

impl Upload {
    /// Reads every field; a body that is not a form, is over the limit or is broken is a
    /// clear 400.
    async fn read(form: Result<Multipart, MultipartRejection>) -> Result<Upload, ApiError> {
        let mut form = form.map_err(|rejection| {
            ApiError::bad_input(format!(
                "Send the file as multipart/form-data: {}",
                rejection.body_text()
            ))
        })?;
        let mut upload = Upload::default();
        while let Some(field) = form.next_field().await.map_err(form_error)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(form_error)?;
                upload.file = Some((file_name, bytes.to_vec()));
                continue;
            }
            let slot = match name.as_str() {
                "conversation_id" => &mut upload.conversation_id,
                "token" => &mut upload.token,
                "client_id" => &mut upload.client_id,
                "caption" => &mut upload.caption,
                _ => continue,
            };
            *slot = Some(field.text().await.map_err(form_error)?);
        }
        Ok(upload)
    }

    fn conversation_id(&self) -> Result<ConversationId, ApiError> {
        let raw = self.required(&self.conversation_id, "conversation_id")?;
        Ok(ConversationId::parse(raw)?)
    }

    fn client_id(&self) -> Result<ClientId, ApiError> {
        Ok(ClientId::parse(
            self.required(&self.client_id, "client_id")?,
        )?)
    }

    fn file(&mut self) -> Result<(String, Vec<u8>), ApiError> {
        self.file
            .take()
            .ok_or_else(|| ApiError::bad_input("Choose a file to send (the form field `file`)"))
    }

    fn required<'a>(&self, value: &'a Option<String>, what: &str) -> Result<&'a str, ApiError> {
        value
            .as_deref()
            .ok_or_else(|| ApiError::bad_input(format!("The form field `{what}` is missing")))
    }
}

/// A form that could not be read: too large (the usual case) or malformed.
fn form_error(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::bad_input(app::domain::AttachmentError::TooLarge.to_string())
    } else {
        ApiError::bad_input(format!("The upload could not be read: {}", err.body_text()))
    }
}

/// `POST /api/chat/attach`: the customer sends a file.
pub async fn customer_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return cross_origin();
    }
    let sent = async {
        let mut upload = Upload::read(form).await?;
        let id = upload.conversation_id()?;
        let token = upload.required(&upload.token, "token")?.to_owned();
        let client_id = upload.client_id()?;
        let (name, bytes) = upload.file()?;
        files::send_as_customer(
            &state.services,
            id,
            &token,
            client_id,
            upload.caption.as_deref(),
            &name,
            bytes,
        )
        .await
    };
    match sent.await {
        Ok(message) => Json(message).into_response(),
        Err(err) => error_with_retry(&err),
    }
}

/// `POST /api/conversations/attach`: the owning agent sends a file.
pub async fn agent_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return cross_origin();
    }
    let sent = async {
        let agent = auth::agent_from_headers(&state.services, &headers).await?;
        let mut upload = Upload::read(form).await?;
        let id = upload.conversation_id()?;
        let client_id = upload.client_id()?;
        let (name, bytes) = upload.file()?;
        files::send_as_agent(
            &state.services,
            id,
            &agent,
            client_id,
            upload.caption.as_deref(),
            &name,
            bytes,
        )
        .await
    };
    match sent.await {
        Ok(message) => Json(message).into_response(),
        Err(err) => error_with_retry(&err),
    }
}

/// `GET /api/files/{id}`: the file, for an agent or the conversation's customer.
pub async fn serve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let read = async {
        let id = AttachmentId::parse(&id)?;
        let customer_token = headers
            .get(TOKEN_HEADER)
            .and_then(|value| value.to_str().ok());
        match customer_token {
            Some(token) => files::read(&state.services, id, Reader::Customer { token }).await,
            None => {
                let agent = auth::agent_from_headers(&state.services, &headers).await?;
                files::read(&state.services, id, Reader::Agent(&agent)).await
            }
        }
    };
    match read.await {
        Ok(file) => file_response(file),
        Err(err) => error_with_retry(&err),
    }
}

/// An error, with `Retry-After` when it says to come back later.
fn error_with_retry(err: &ApiError) -> Response {
    let mut response = error_response(err);
    crate::guard::set_retry_after(response.headers_mut(), err);
    response
}

/// The file's bytes with its real type, its name, and the policy that runs nothing. Images
/// show in the page (`inline`); a PDF is downloaded.
fn file_response(file: StoredFile) -> Response {
    let attachment = &file.attachment;
    let disposition = if attachment.kind.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let headers = [
        (
            header::CONTENT_TYPE,
            attachment.kind.media_type().to_owned(),
        ),
        (
            header::CONTENT_DISPOSITION,
            content_disposition(disposition, &attachment.name),
        ),
        // A file's bytes never change under its id; only this browser keeps them.
        (
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable".to_owned(),
        ),
    ];
    let mut response = (headers, Body::from(file.bytes)).into_response();
    response
        .extensions_mut()
        .insert(crate::guard::OwnPolicy(FILE_POLICY.into()));
    response
}

/// `Content-Disposition` with the name both as plain ASCII (for old clients) and exactly
/// (RFC 6266 `filename*`, percent-encoded UTF-8).
fn content_disposition(disposition: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut exact = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            exact.push(char::from(byte));
        } else {
            exact.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_out_plain_and_exact() {
        assert_eq!(
            content_disposition("inline", "kotak rusak.jpg"),
            "inline; filename=\"kotak rusak.jpg\"; filename*=UTF-8''kotak%20rusak.jpg"
        );
        assert_eq!(
            content_disposition("attachment", "faktur—é.pdf"),
            "attachment; filename=\"faktur__.pdf\"; filename*=UTF-8''faktur%E2%80%94%C3%A9.pdf"
        );
    }
}
