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

/// Shows a system notification when the agent allowed them, and asks once when they have
/// not decided yet. In-page toasts are shown either way.
#[cfg(feature = "csr")]
pub fn system_notification(text: &str) {
    use web_sys::{Notification, NotificationOptions, NotificationPermission};
    // Not every browser has the API (e.g. an insecure origin on some phones).
    let supported =
        js_sys::Reflect::has(&leptos::prelude::window(), &"Notification".into()).unwrap_or(false);
    if !supported {
        return;
    }
    match Notification::permission() {
        NotificationPermission::Granted => {
            let options = NotificationOptions::new();
            options.set_body(text);
            let _ = Notification::new_with_options("Baton", &options);
        }
        NotificationPermission::Default => {
            let _ = Notification::request_permission();
        }
        _ => {}
    }
}

#[cfg(not(feature = "csr"))]
pub fn system_notification(_text: &str) {}

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
