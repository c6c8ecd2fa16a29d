//! Photos and documents in the chat: the button that sends one (the words in the box go with
//! it as its caption), and how one shows in the log — a thumbnail that opens the picture, or a
//! link that downloads the PDF. Agents fetch files with their session; the customer's page
//! sends its conversation token in a header (never in a URL) and shows what it got.

use leptos::prelude::*;

use super::event_item::Viewer;
use crate::domain::{Attachment, FileKind};
use crate::error::ApiError;
use crate::i18n::{t_string, use_i18n};

/// The customer's key to their conversation's files, provided by the customer's page.
#[derive(Debug, Clone)]
pub struct CustomerKey(pub String);

/// A file the sender picked: the browser's `File`.
#[cfg(feature = "csr")]
pub type PickedFile = web_sys::File;
/// A file the sender picked (never one on the server build).
#[cfg(not(feature = "csr"))]
pub type PickedFile = ();

/// A file on its way, and why the last one was refused.
#[derive(Debug, Clone, Copy)]
pub struct FileSending {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl FileSending {
    pub fn new() -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Sends `file` with the form `fields` to `url` (`/api/chat/attach` or
    /// `/api/conversations/attach`); `on_sent` runs once it is stored.
    pub fn send(
        self,
        url: &'static str,
        fields: Vec<(&'static str, String)>,
        file: PickedFile,
        on_sent: impl FnOnce() + 'static,
    ) {
        self.busy.set(true);
        self.error.set(None);
        #[cfg(feature = "csr")]
        leptos::task::spawn_local(async move {
            let sent = upload(url, fields, file).await;
            self.busy.set(false);
            match sent {
                Ok(()) => on_sent(),
                Err(err) => self.error.set(Some(err)),
            }
        });
        #[cfg(not(feature = "csr"))]
        {
            let _ = (url, fields, file, on_sent);
        }
    }
}

impl Default for FileSending {
    fn default() -> Self {
        Self::new()
    }
}

/// Posts the form; the server's typed error when it refuses.
#[cfg(feature = "csr")]
async fn upload(
    url: &str,
    fields: Vec<(&'static str, String)>,
    file: web_sys::File,
) -> Result<(), ApiError> {
    let offline = |_| ApiError::unavailable();
    let form = web_sys::FormData::new().map_err(|_| ApiError::internal())?;
    for (name, value) in fields {
        form.append_with_str(name, &value)
            .map_err(|_| ApiError::internal())?;
    }
    form.append_with_blob_and_filename("file", &file, &file.name())
        .map_err(|_| ApiError::internal())?;
    let response = gloo_net::http::Request::post(url)
        .body(form)
        .map_err(offline)?
        .send()
        .await
        .map_err(offline)?;
    if response.ok() {
        return Ok(());
    }
    Err(response
        .json::<ApiError>()
        .await
        .unwrap_or_else(|_| ApiError::internal()))
}

/// The paper-clip button and its hidden file input; `on_file` gets the chosen file.
#[component]
pub fn AttachButton(
    #[prop(into)] disabled: Signal<bool>,
    on_file: Callback<PickedFile>,
) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<leptos::html::Input>::new();
    let label = move || t_string!(i18n, chat.attach).to_owned();
    view! {
        <button
            type="button"
            class="button ghost attach"
            aria-label=label
            title=label
            disabled=disabled
            on:click=move |_| {
                if let Some(input) = input.get() {
                    input.click();
                }
            }
        >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path
                    d="M16.5 6.5 8.4 14.6a2 2 0 0 0 2.8 2.8l8.1-8.1a4 4 0 0 0-5.7-5.7l-8.1 8.1a6 6 0 0 0 8.5 8.5l7-7"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linecap="round"
                ></path>
            </svg>
        </button>
        <input
            node_ref=input
            class="attach-input"
            type="file"
            hidden
            tabindex="-1"
            aria-hidden="true"
            accept=FileKind::accept_list()
            on:change=move |_ev| {
                #[cfg(feature = "csr")]
                if let Some(input) = input.get() {
                    if let Some(file) = input.files().and_then(|files| files.get(0)) {
                        on_file.run(file);
                    }
                    input.set_value("");
                }
                #[cfg(not(feature = "csr"))]
                let _ = on_file;
            }
        />
    }
}

/// A file in the log: a thumbnail (opens the picture) or a download link, with its name and
/// size.
#[component]
pub fn AttachmentView(attachment: Attachment, viewer: Viewer) -> impl IntoView {
    let key = (viewer == Viewer::Customer)
        .then(use_context::<CustomerKey>)
        .flatten();
    let src = file_source(&attachment, key);
    let name = attachment.name.clone();
    let size = attachment.size_label();
    if attachment.kind.is_image() {
        let alt = name.clone();
        view! {
            <a class="attachment" href=src target="_blank" rel="noopener">
                <img class="attachment-thumb" src=src alt=alt loading="lazy" />
                <span class="attachment-meta">{name} " · " {size}</span>
            </a>
        }
        .into_any()
    } else {
        let download = name.clone();
        view! {
            <a class="attachment attachment-file" href=src download=download>
                <span aria-hidden="true">"PDF"</span>
                <span class="attachment-meta">{name} " · " {size}</span>
            </a>
        }
        .into_any()
    }
}

/// Where the page reads the file: its own URL (agents: the session cookie goes with it), or,
/// for the customer, a local copy fetched with the token in a header.
fn file_source(attachment: &Attachment, key: Option<CustomerKey>) -> Signal<Option<String>> {
    let url = attachment.url();
    let Some(CustomerKey(token)) = key else {
        return Signal::stored(Some(url));
    };
    let media_type = attachment.kind.media_type();
    // The copy is released with the view that shows it, so a long chat does not keep every
    // file it ever showed in memory.
    let made = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let remember = made.clone();
    let local = LocalResource::new(move || {
        let (url, token, remember) = (url.clone(), token.clone(), remember.clone());
        async move {
            let copy = local_copy(url, token, media_type).await;
            if let (Some(copy), Ok(mut slot)) = (&copy, remember.lock()) {
                if let Some(before) = slot.replace(copy.clone()) {
                    release_copy(&before);
                }
            }
            copy
        }
    });
    on_cleanup(move || {
        if let Some(copy) = made.lock().ok().and_then(|mut slot| slot.take()) {
            release_copy(&copy);
        }
    });
    Signal::derive(move || local.get().flatten())
}

/// Frees a `blob:` URL [`local_copy`] made.
#[cfg(feature = "csr")]
fn release_copy(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

#[cfg(not(feature = "csr"))]
fn release_copy(_url: &str) {}

/// The file fetched with the customer's token, as a `blob:` URL of this page.
#[cfg(feature = "csr")]
async fn local_copy(url: String, token: String, media_type: &'static str) -> Option<String> {
    let response = gloo_net::http::Request::get(&url)
        .header("X-Baton-Token", &token)
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    let bytes = response.binary().await.ok()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

#[cfg(not(feature = "csr"))]
async fn local_copy(_url: String, _token: String, _media_type: &'static str) -> Option<String> {
    None
}
