//! What reaches a busy agent beyond the toast: a new waiting customer, a transfer to me, a
//! forced takeover from me and a message from a customer of mine while I read another
//! conversation play a short chime and, while the tab is hidden, raise a system
//! notification. Each kind, the sound and the system notifications can be muted in the top
//! bar's Notifications menu; the browser's permission is asked from a click there, never on
//! load. The settings are this browser's.

use leptos::prelude::*;

use super::browser;
use super::frames::Alert;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// Where the browser keeps the settings.
const SETTINGS_KEY: &str = "baton.alerts";

/// The menu's checkboxes: id, label, and the setting each reads and writes.
type AlertOption = (
    &'static str,
    fn(Locale) -> &'static str,
    fn(&AlertSettings) -> bool,
    fn(&mut AlertSettings, bool),
);

const OPTIONS: [AlertOption; 7] = [
    (
        "alert-waiting",
        |l| td_string!(l, alerts.waiting),
        |s| s.waiting,
        |s, on| s.waiting = on,
    ),
    (
        "alert-transfer",
        |l| td_string!(l, alerts.transfer),
        |s| s.transfer,
        |s, on| s.transfer = on,
    ),
    (
        "alert-taken",
        |l| td_string!(l, alerts.taken),
        |s| s.taken,
        |s, on| s.taken = on,
    ),
    (
        "alert-message",
        |l| td_string!(l, alerts.message),
        |s| s.message,
        |s, on| s.message = on,
    ),
    (
        "alert-mention",
        |l| td_string!(l, alerts.mention),
        |s| s.mention,
        |s, on| s.mention = on,
    ),
    (
        "alert-sound",
        |l| td_string!(l, alerts.sound),
        |s| s.sound,
        |s, on| s.sound = on,
    ),
    (
        "alert-desktop",
        |l| td_string!(l, alerts.desktop),
        |s| s.desktop,
        |s, on| s.desktop = on,
    ),
];

/// Which alerts the agent wants, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertSettings {
    /// Play the chime.
    pub sound: bool,
    /// Raise a system notification while the tab is hidden.
    pub desktop: bool,
    pub waiting: bool,
    pub transfer: bool,
    pub taken: bool,
    pub message: bool,
    /// A colleague mentioned me in a private note.
    pub mention: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            sound: true,
            // Off until the agent ticks it: that click asks the browser's permission.
            desktop: false,
            waiting: true,
            transfer: true,
            taken: true,
            message: true,
            mention: true,
        }
    }
}

impl AlertSettings {
    /// Reads what [`AlertSettings::encode`] wrote; anything missing or unknown keeps its
    /// default.
    pub fn decode(raw: &str) -> Self {
        let mut settings = Self::default();
        for part in raw.split(',') {
            let Some((name, value)) = part.split_once('=') else {
                continue;
            };
            let on = value == "1";
            match name {
                "sound" => settings.sound = on,
                "desktop" => settings.desktop = on,
                "waiting" => settings.waiting = on,
                "transfer" => settings.transfer = on,
                "taken" => settings.taken = on,
                "message" => settings.message = on,
                "mention" => settings.mention = on,
                _ => {}
            }
        }
        settings
    }

    pub fn encode(self) -> String {
        let bit = |on: bool| if on { "1" } else { "0" };
        format!(
            "sound={},desktop={},waiting={},transfer={},taken={},message={},mention={}",
            bit(self.sound),
            bit(self.desktop),
            bit(self.waiting),
            bit(self.transfer),
            bit(self.taken),
            bit(self.message),
            bit(self.mention)
        )
    }

    /// Whether `alert` should chime or notify at all.
    pub fn wants(self, alert: Alert) -> bool {
        match alert {
            Alert::Waiting => self.waiting,
            Alert::TransferToMe => self.transfer,
            Alert::TakenFromMe => self.taken,
            Alert::CustomerMessage => self.message,
            Alert::Mention => self.mention,
            Alert::Other => false,
        }
    }

    fn load() -> Self {
        browser::load(SETTINGS_KEY).map_or_else(Self::default, |raw| Self::decode(&raw))
    }

    fn save(self) {
        browser::store(SETTINGS_KEY, &self.encode());
    }
}

/// Chimes and notifies about `alert` (whose toast says `text`) as the agent's settings say.
pub fn alert(alert: Alert, text: &str) {
    let settings = AlertSettings::load();
    if !settings.wants(alert) {
        return;
    }
    if settings.sound {
        browser::chime();
    }
    if settings.desktop && browser::page_hidden() {
        browser::system_notification(text);
    }
}

/// The Notifications menu of the top bar.
#[component]
pub fn AlertMenu() -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let settings = RwSignal::new(AlertSettings::load());
    let allowed = RwSignal::new(browser::notifications_allowed());
    Effect::new(move |_| settings.get().save());
    // One checkbox of the menu.
    let option = move |id: &'static str,
                       label: fn(Locale) -> &'static str,
                       get: fn(&AlertSettings) -> bool,
                       set: fn(&mut AlertSettings, bool)| {
        view! {
            <label class="alert-option" for=id>
                <input
                    id=id
                    type="checkbox"
                    prop:checked=move || settings.with(get)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        settings.update(|s| set(s, on));
                        if id == "alert-desktop" && on && allowed.get_untracked().is_none() {
                            browser::ask_notification_permission(move |granted| {
                                allowed.set(Some(granted));
                            });
                        }
                    }
                />
                {move || label(i18n.get_locale())}
            </label>
        }
    };

    view! {
        <div class="alert-menu">
            <button
                class="button ghost"
                aria-expanded=move || open.get().to_string()
                aria-controls="alert-settings"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {t!(i18n, alerts.menu)}
            </button>
            <Show when=move || open.get()>
                <fieldset id="alert-settings" class="dialog alert-settings">
                    <legend>{t!(i18n, alerts.title)}</legend>
                    {OPTIONS
                        .iter()
                        .map(|&(id, label, get, set)| option(id, label, get, set))
                        .collect_view()}
                    <p class="muted" role="status">
                        {move || {
                            let l = i18n.get_locale();
                            match allowed.get() {
                                Some(true) => td_string!(l, alerts.allowed),
                                Some(false) => td_string!(l, alerts.refused),
                                None => td_string!(l, alerts.not_asked),
                            }
                        }}
                    </p>
                    <div class="dialog-actions">
                        <button class="button" on:click=move |_| open.set(false)>
                            {t!(i18n, alerts.done)}
                        </button>
                    </div>
                </fieldset>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_back_and_default_to_everything_on() {
        let mut settings = AlertSettings::default();
        assert!(settings.wants(Alert::Waiting) && settings.sound && !settings.desktop);
        settings.sound = false;
        settings.transfer = false;
        assert_eq!(AlertSettings::decode(&settings.encode()), settings);
        assert_eq!(
            AlertSettings::decode("garbage,x=1"),
            AlertSettings::default()
        );
    }

    #[test]
    fn each_kind_is_muted_on_its_own_and_the_rest_never_alerts() {
        let settings = AlertSettings {
            waiting: false,
            ..AlertSettings::default()
        };
        assert!(!settings.wants(Alert::Waiting));
        assert!(settings.wants(Alert::TransferToMe));
        assert!(settings.wants(Alert::TakenFromMe));
        assert!(!settings.wants(Alert::Other));
    }
}
