//! The few things only a browser has. On the server build these are never called.

/// Reads a value from the browser's local storage.
#[cfg(feature = "csr")]
pub fn load(key: &str) -> Option<String> {
    leptos::prelude::window()
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

/// Writes a value to the browser's local storage.
#[cfg(feature = "csr")]
pub fn store(key: &str, value: &str) {
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Removes a value from the browser's local storage.
#[cfg(feature = "csr")]
pub fn forget(key: &str) {
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// Milliseconds since the epoch, by the browser's clock.
#[cfg(feature = "csr")]
pub fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// The browser's offset from UTC now, in minutes (UTC+7: 420).
#[cfg(feature = "csr")]
pub fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

#[cfg(not(feature = "csr"))]
pub fn utc_offset_minutes() -> i32 {
    0
}

/// A moment as the viewer reads it, in their own time zone and locale: machine-readable
/// (ISO 8601, UTC), in full (for a tooltip), and as a short day and time.
pub struct LocalTime {
    pub iso: String,
    pub exact: String,
    pub short: String,
}

#[cfg(feature = "csr")]
pub fn local_time(millis: i64) -> LocalTime {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_f64(millis as f64));
    let short_options = js_sys::Object::new();
    for (key, value) in [
        ("day", "numeric"),
        ("month", "short"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&short_options, &key.into(), &value.into());
    }
    LocalTime {
        iso: date.to_iso_string().into(),
        exact: date.to_locale_string("default", &JsValue::UNDEFINED).into(),
        short: date.to_locale_string("default", &short_options).into(),
    }
}

#[cfg(not(feature = "csr"))]
pub fn local_time(millis: i64) -> LocalTime {
    LocalTime {
        iso: millis.to_string(),
        exact: millis.to_string(),
        short: millis.to_string(),
    }
}

/// Whether this browser has system notifications at all (some phones on plain HTTP do not).
#[cfg(feature = "csr")]
fn notifications_supported() -> bool {
    js_sys::Reflect::has(&leptos::prelude::window(), &"Notification".into()).unwrap_or(false)
}

/// Whether the agent allowed system notifications: `Some(true)` yes, `Some(false)` refused,
/// `None` not asked yet (or not supported: `Some(false)`).
#[cfg(feature = "csr")]
pub fn notifications_allowed() -> Option<bool> {
    use web_sys::{Notification, NotificationPermission};
    if !notifications_supported() {
        return Some(false);
    }
    match Notification::permission() {
        NotificationPermission::Granted => Some(true),
        NotificationPermission::Default => None,
        _ => Some(false),
    }
}

/// Asks the browser for permission to notify; `then` runs with the answer. Call it from a
/// click: browsers ignore (or penalise) a request nobody asked for.
#[cfg(feature = "csr")]
pub fn ask_notification_permission(then: impl FnOnce(bool) + 'static) {
    use web_sys::Notification;
    if !notifications_supported() {
        then(false);
        return;
    }
    match Notification::request_permission() {
        Ok(answer) => leptos::task::spawn_local(async move {
            let answer = wasm_bindgen_futures::JsFuture::from(answer).await;
            then(answer.ok().and_then(|a| a.as_string()).as_deref() == Some("granted"));
        }),
        Err(_) => then(false),
    }
}

/// Shows a system notification when the agent allowed them; never asks.
#[cfg(feature = "csr")]
pub fn system_notification(text: &str) {
    use web_sys::{Notification, NotificationOptions};
    if notifications_allowed() == Some(true) {
        let options = NotificationOptions::new();
        options.set_body(text);
        let _ = Notification::new_with_options("Baton", &options);
    }
}

/// True while the page is not on screen (another tab, a minimised window).
#[cfg(feature = "csr")]
pub fn page_hidden() -> bool {
    leptos::prelude::document().hidden()
}

/// A short two-note chime (Web Audio; nothing to download).
#[cfg(feature = "csr")]
pub fn chime() {
    use web_sys::{AudioContext, OscillatorType};
    let play = || -> Result<(), wasm_bindgen::JsValue> {
        let context = AudioContext::new()?;
        let start = context.current_time();
        for (at, frequency) in [(0.0, 880.0), (0.12, 1_318.5)] {
            let tone = context.create_oscillator()?;
            tone.set_type(OscillatorType::Sine);
            tone.frequency().set_value(frequency);
            let volume = context.create_gain()?;
            volume.gain().set_value_at_time(0.0001, start + at)?;
            volume
                .gain()
                .exponential_ramp_to_value_at_time(0.2, start + at + 0.02)?;
            volume
                .gain()
                .exponential_ramp_to_value_at_time(0.0001, start + at + 0.25)?;
            tone.connect_with_audio_node(&volume)?;
            volume.connect_with_audio_node(&context.destination())?;
            tone.start_with_when(start + at)?;
            tone.stop_with_when(start + at + 0.3)?;
        }
        // The context goes once the notes have played.
        let close = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = context.close();
        });
        let _ = leptos::prelude::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(close.unchecked_ref(), 1_000);
        Ok(())
    };
    use wasm_bindgen::JsCast;
    if let Err(err) = play() {
        leptos::logging::warn!("Baton: the chime did not play: {err:?}");
    }
}

#[cfg(not(feature = "csr"))]
pub fn notifications_allowed() -> Option<bool> {
    Some(false)
}

#[cfg(not(feature = "csr"))]
pub fn ask_notification_permission(then: impl FnOnce(bool) + 'static) {
    then(false);
}

#[cfg(not(feature = "csr"))]
pub fn system_notification(_text: &str) {}

#[cfg(not(feature = "csr"))]
pub fn page_hidden() -> bool {
    false
}

#[cfg(not(feature = "csr"))]
pub fn chime() {}

/// The page's path ("/chat/embed").
#[cfg(feature = "csr")]
pub fn page_path() -> String {
    leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default()
}

#[cfg(not(feature = "csr"))]
pub fn page_path() -> String {
    String::new()
}

/// A parameter of the page's query string (`?greeting=…`), decoded.
#[cfg(feature = "csr")]
pub fn query_param(name: &str) -> Option<String> {
    let search = leptos::prelude::window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

#[cfg(not(feature = "csr"))]
pub fn query_param(_name: &str) -> Option<String> {
    None
}

/// Sets the document's title (the tab's label).
#[cfg(feature = "csr")]
pub fn set_title(title: &str) {
    leptos::prelude::document().set_title(title);
}

#[cfg(not(feature = "csr"))]
pub fn set_title(_title: &str) {}

#[cfg(not(feature = "csr"))]
pub fn load(_key: &str) -> Option<String> {
    None
}

#[cfg(not(feature = "csr"))]
pub fn store(_key: &str, _value: &str) {}

#[cfg(not(feature = "csr"))]
pub fn forget(_key: &str) {}

#[cfg(not(feature = "csr"))]
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Sets an attribute of the page's root element, `<html>`, or removes it (`None`).
#[cfg(feature = "csr")]
pub fn set_root_attribute(name: &str, value: Option<&str>) {
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = match value {
            Some(value) => root.set_attribute(name, value),
            None => root.remove_attribute(name),
        };
    }
}

#[cfg(not(feature = "csr"))]
pub fn set_root_attribute(_name: &str, _value: Option<&str>) {}

/// An element that can take the focus.
#[cfg(feature = "csr")]
pub type Focusable = web_sys::HtmlElement;

#[cfg(not(feature = "csr"))]
pub type Focusable = ();

/// The element that has the focus now, to give it back later with [`refocus`].
#[cfg(feature = "csr")]
pub fn focused() -> Option<Focusable> {
    use wasm_bindgen::JsCast;
    leptos::prelude::document()
        .active_element()?
        .dyn_into()
        .ok()
}

#[cfg(not(feature = "csr"))]
pub fn focused() -> Option<Focusable> {
    None
}

/// Gives the focus back to `element`, if it is still on the page.
#[cfg(feature = "csr")]
pub fn refocus(element: &Option<Focusable>) {
    if let Some(element) = element.as_ref().filter(|element| element.is_connected()) {
        let _ = element.focus();
    }
}

#[cfg(not(feature = "csr"))]
pub fn refocus(_element: &Option<Focusable>) {}

/// True when nothing the person chose has the focus: nothing does (the page's body), or
/// what has it is inside `container` or has left the page. A dialog that goes gives the
/// focus back only then, never taking it from where the person has since put it.
#[cfg(feature = "csr")]
pub fn focus_unclaimed(container: &web_sys::Element) -> bool {
    let document = leptos::prelude::document();
    match document.active_element() {
        None => true,
        Some(active) => {
            document.body().is_some_and(|body| *body == active)
                || container.contains(Some(&active))
                || !active.is_connected()
        }
    }
}

#[cfg(not(feature = "csr"))]
pub fn focus_unclaimed<T>(_container: &T) -> bool {
    true
}

/// What can take the focus with Tab.
#[cfg(feature = "csr")]
const TABBABLE: &str = "a[href], button:not(:disabled), input:not(:disabled), \
    select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex='-1'])";

/// Keeps Tab inside `container`: from its last tabbable element Tab goes to its first, from
/// its first Shift+Tab (`backwards`) goes to its last, and from outside it either goes in.
/// True when it moved the focus (the key's own move is then to be cancelled).
#[cfg(feature = "csr")]
pub fn cycle_focus(container: &web_sys::Element, backwards: bool) -> bool {
    use wasm_bindgen::JsCast;
    let Ok(found) = container.query_selector_all(TABBABLE) else {
        return false;
    };
    let tabbable: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|at| found.item(at)?.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (tabbable.first(), tabbable.last()) else {
        return false;
    };
    let active = leptos::prelude::document().active_element();
    let active: Option<&web_sys::Node> = active.as_ref().map(|element| element.as_ref());
    let (edge, next) = if backwards {
        (first, last)
    } else {
        (last, first)
    };
    if edge.is_same_node(active) || !container.contains(active) {
        let _ = next.focus();
        return true;
    }
    false
}

#[cfg(not(feature = "csr"))]
pub fn cycle_focus<T>(_container: &T, _backwards: bool) -> bool {
    false
}
