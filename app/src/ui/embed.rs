//! The customer page inside the chat widget on another site (`/chat/embed`): it talks to the
//! host page's `widget.js` with `postMessage`.
//!
//! Every message either way is an object `{ baton: 1, type, … }`; anything else is ignored.
//! The page accepts messages from its parent window only, and after the first one only from
//! that parent's origin (the server lets nothing but the `--widget-origins` frame this page);
//! it posts to that origin only. From the host: `hello` (the launcher's panel is `open` or not),
//! `open`, `close`, `identify` (`token`: the host site's signed identity token for its
//! signed-in customer, see [`crate::backend::identity`]). To the host: `ready` (this page
//! listens; carries nothing), `unread` (`count`: the agent's and AI's messages the customer has
//! not seen), `active` (whether a conversation is going on, so the host can load the chat early
//! on its next page), `identity` (`ok`, and `error` when Baton refused the token).

use leptos::prelude::*;

use super::browser;
use crate::domain::{Author, ConversationId, Event, EventKind};

/// The widget's side of the page, provided by the embed page to the conversation inside it.
#[derive(Clone, Copy)]
pub struct Embed {
    /// The launcher's panel is open on the host page: the customer sees the chat.
    pub visible: RwSignal<bool>,
    /// The host page's origin, learnt from its first message.
    host: RwSignal<Option<String>>,
    /// The identity token the host page gave (`Baton.identify`), not yet checked.
    pub identity: RwSignal<Option<String>>,
}

/// The longest identity token read from the host; a longer one is ignored.
const MAX_IDENTITY_BYTES: usize = 4_096;

/// What the host page may say.
#[cfg_attr(not(feature = "csr"), allow(dead_code))] // Only the browser build listens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FromHost {
    Hello { open: bool },
    Open,
    Close,
    Identify { token: String },
}

/// What this page tells the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToHost {
    #[cfg_attr(not(feature = "csr"), allow(dead_code))]
    Ready,
    Unread(u32),
    Active(bool),
    /// Whether Baton accepted the host's identity token; why not, when it refused it.
    Identity(Result<(), String>),
}

impl Embed {
    /// Starts listening to the host page and tells it this page is ready.
    pub fn provide() -> Self {
        let embed = Self {
            visible: RwSignal::new(false),
            host: RwSignal::new(None),
            identity: RwSignal::new(None),
        };
        provide_context(embed);
        bridge::listen(embed);
        embed
    }

    /// Posts `message` to the host page, once its origin is known.
    pub fn post(&self, message: ToHost) {
        if let Some(origin) = self.host.get_untracked() {
            bridge::post(&message, &origin);
        }
    }

    /// Handles one message from the parent window whose origin is `origin`.
    #[cfg_attr(not(feature = "csr"), allow(dead_code))] // Only the browser build listens.
    fn receive(&self, origin: String, message: FromHost) {
        match self.host.get_untracked() {
            Some(known) if known != origin => return,
            Some(_) => {}
            None => self.host.set(Some(origin)),
        }
        match message {
            FromHost::Hello { open } => self.visible.set(open),
            FromHost::Open => self.visible.set(true),
            FromHost::Close => self.visible.set(false),
            FromHost::Identify { token } => self.identity.set(Some(token)),
        }
    }
}

/// Keeps the host page's launcher in step with conversation `id`: its unread badge (the
/// agent's and AI's messages since the customer last saw the open chat, remembered across the
/// host's pages) and whether a conversation is going on.
pub fn inform_host(
    embed: Embed,
    id: ConversationId,
    events: RwSignal<Vec<Event>>,
    closed: Signal<bool>,
) {
    let key = format!("baton.chat.seen.{id}");
    let seen = RwSignal::new(
        browser::load(&key)
            .and_then(|raw| raw.parse::<u64>().ok())
            .unwrap_or(0),
    );
    Effect::new(move |_| {
        if embed.visible.get() {
            let last = events.with(|all| all.last().map_or(0, |event| event.seq));
            if last > seen.get_untracked() {
                seen.set(last);
                browser::store(&key, &last.to_string());
            }
        }
    });
    let count = Memo::new(move |_| events.with(|all| unread(all, seen.get())));
    // Posted again once the host is known, so nothing said before its `hello` is lost.
    Effect::new(move |_| {
        embed.host.track();
        embed.post(ToHost::Unread(count.get()));
    });
    Effect::new(move |_| {
        embed.host.track();
        embed.post(ToHost::Active(!closed.get()));
    });
}

/// The agent's and AI's messages after `seen` (a seq): what the closed launcher's badge
/// counts. Baton's own notices and the customer's messages are not counted.
pub fn unread(events: &[Event], seen: u64) -> u32 {
    let count = events
        .iter()
        .filter(|event| event.seq > seen)
        .filter(|event| {
            matches!(
                &event.kind,
                EventKind::Message { message }
                    if matches!(message.author, Author::Ai | Author::Agent { .. })
            )
        })
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Reads a message from the host: an object `{ baton: 1, type: "hello" | "open" | "close" |
/// "identify" }` (`hello` with a boolean `open`, `identify` with a string `token` of at most
/// [`MAX_IDENTITY_BYTES`]). Anything else, of any size or shape, is `None`.
#[cfg_attr(not(feature = "csr"), allow(dead_code))] // Only the browser build listens.
fn read(kind: Option<&str>, open: Option<bool>, token: Option<String>) -> Option<FromHost> {
    match kind? {
        "hello" => Some(FromHost::Hello {
            open: open.unwrap_or(false),
        }),
        "open" => Some(FromHost::Open),
        "close" => Some(FromHost::Close),
        "identify" => token
            .filter(|token| !token.is_empty() && token.len() <= MAX_IDENTITY_BYTES)
            .map(|token| FromHost::Identify { token }),
        _ => None,
    }
}

#[cfg(feature = "csr")]
mod bridge {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use super::{read, Embed, ToHost};

    /// The longest `type` read from a message.
    const MAX_TYPE_LEN: usize = 16;

    fn get(object: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }

    /// Listens to `message` events for the page's lifetime, and posts `ready` to the parent.
    pub fn listen(embed: Embed) {
        let window = leptos::prelude::window();
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new({
            let parent = parent.clone();
            move |event: web_sys::MessageEvent| {
                // Compared as values: a cross-origin parent is no `instanceof Window` here.
                let from_parent = event
                    .source()
                    .is_some_and(|source| JsValue::from(source) == JsValue::from(&parent));
                let data = event.data();
                if !from_parent || !data.is_object() || get(&data, "baton").as_f64() != Some(1.0) {
                    return;
                }
                let kind = get(&data, "type")
                    .as_string()
                    .filter(|kind| kind.len() <= MAX_TYPE_LEN);
                // Measured before it is copied out of the event: a huge string is left unread.
                let token = get(&data, "token")
                    .dyn_into::<js_sys::JsString>()
                    .ok()
                    .filter(|token| token.length() as usize <= super::MAX_IDENTITY_BYTES)
                    .map(String::from);
                if let Some(message) = read(kind.as_deref(), get(&data, "open").as_bool(), token) {
                    embed.receive(event.origin(), message);
                }
            }
        });
        let _ =
            window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        // The page never goes away while the widget shows it.
        listener.forget();
        // `ready` carries nothing, so it may go to whichever page frames this one.
        post_to(&parent, &ToHost::Ready, "*");
    }

    pub fn post(message: &ToHost, origin: &str) {
        if let Ok(Some(parent)) = leptos::prelude::window().parent() {
            post_to(&parent, message, origin);
        }
    }

    fn post_to(parent: &web_sys::Window, message: &ToHost, origin: &str) {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &key.into(), &value);
        };
        set("baton", 1.into());
        match message {
            ToHost::Ready => set("type", "ready".into()),
            ToHost::Unread(count) => {
                set("type", "unread".into());
                set("count", (*count).into());
            }
            ToHost::Active(active) => {
                set("type", "active".into());
                set("active", (*active).into());
            }
            ToHost::Identity(outcome) => {
                set("type", "identity".into());
                set("ok", outcome.is_ok().into());
                if let Err(error) = outcome {
                    set("error", error.as_str().into());
                }
            }
        }
        let _ = parent.post_message(&object, origin);
    }
}

#[cfg(not(feature = "csr"))]
mod bridge {
    use super::{Embed, ToHost};

    pub fn listen(_embed: Embed) {}

    pub fn post(_message: &ToHost, _origin: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AgentId, AgentRef, ConversationId, Message, MessageBody, MessageId, Timestamp,
    };

    fn message(seq: u64, author: Author) -> Event {
        Event {
            conversation_id: ConversationId::new(),
            seq,
            at: Timestamp(0),
            kind: EventKind::Message {
                message: Message {
                    id: MessageId::new(),
                    author,
                    body: MessageBody::parse("hello").unwrap(),
                    client_id: None,
                    attachment: None,
                },
            },
        }
    }

    #[test]
    fn the_badge_counts_the_agents_and_ais_messages_not_yet_seen() {
        let agent = Author::Agent {
            agent: AgentRef {
                id: AgentId::new(),
                name: "Budi".into(),
            },
        };
        let log = vec![
            message(1, Author::Customer),
            message(2, Author::Ai),
            message(3, Author::System),
            message(4, agent.clone()),
            message(5, Author::Customer),
            message(6, agent),
        ];
        assert_eq!(unread(&log, 0), 3);
        assert_eq!(unread(&log, 4), 1);
        assert_eq!(unread(&log, 6), 0);
    }

    #[test]
    fn only_the_four_host_messages_are_read() {
        assert_eq!(
            read(Some("hello"), Some(true), None),
            Some(FromHost::Hello { open: true })
        );
        assert_eq!(
            read(Some("hello"), None, None),
            Some(FromHost::Hello { open: false })
        );
        assert_eq!(read(Some("open"), None, None), Some(FromHost::Open));
        assert_eq!(read(Some("close"), Some(true), None), Some(FromHost::Close));
        assert_eq!(
            read(Some("identify"), None, Some("a.b.c".into())),
            Some(FromHost::Identify {
                token: "a.b.c".into()
            })
        );
        assert_eq!(read(Some("identify"), None, None), None);
        assert_eq!(read(Some("identify"), None, Some(String::new())), None);
        assert_eq!(read(Some("identify"), None, Some("x".repeat(5_000))), None);
        assert_eq!(read(Some("reset"), None, None), None);
        assert_eq!(read(None, None, None), None);
    }
}
