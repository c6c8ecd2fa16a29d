//! The theme switch on the customer's page and in the dashboard's top bar: the device's
//! setting (System), Light or Dark. The choice is remembered by this browser and applies to
//! every page as `data-theme` on `<html>`, which the stylesheet honours over
//! `prefers-color-scheme`.

use leptos::prelude::*;

use super::browser;
use crate::i18n::{t, t_string, use_i18n};

/// Where the browser remembers the chosen theme (nothing: the system's). `index.html` reads
/// it too, to wear the theme before the app has loaded.
const THEME_KEY: &str = "baton.theme";

/// A theme the pages can wear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    /// Whatever the device is set to (`prefers-color-scheme`).
    System,
    Light,
    Dark,
}

impl Theme {
    /// Every theme, in the order the switch offers them.
    const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// Its name in local storage, in the switch and in `data-theme`.
    fn code(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme named `code`, if any.
    fn parse(code: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|theme| theme.code() == code)
    }
}

/// The theme this browser's user chose last (System when none).
fn chosen() -> Theme {
    browser::load(THEME_KEY)
        .and_then(|code| Theme::parse(&code))
        .unwrap_or(Theme::System)
}

/// Puts `theme` on the page: `data-theme` on `<html>`, or none for the system's.
fn wear(theme: Theme) {
    browser::set_root_attribute("data-theme", (theme != Theme::System).then(|| theme.code()));
}

/// Puts the theme chosen earlier on the page. The app does this once as it starts, so the
/// pages without the switch (sign-in, admin, analytics) wear it too.
pub fn wear_chosen() {
    wear(chosen());
}

/// A labelled select of the themes; a choice applies at once and is remembered.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(chosen());
    let choose = move |ev| {
        let Some(theme) = Theme::parse(&event_target_value(&ev)) else {
            return;
        };
        match theme {
            Theme::System => browser::forget(THEME_KEY),
            Theme::Light | Theme::Dark => browser::store(THEME_KEY, theme.code()),
        }
        wear(theme);
        current.set(theme);
    };
    let name = move |theme: Theme| match theme {
        Theme::System => t_string!(i18n, theme.system),
        Theme::Light => t_string!(i18n, theme.light),
        Theme::Dark => t_string!(i18n, theme.dark),
    };
    view! {
        <label class="theme-picker">
            <span class="sr-only">{t!(i18n, theme.label)}</span>
            <select data-testid="theme" on:change=choose>
                {Theme::ALL
                    .into_iter()
                    .map(|theme| {
                        view! {
                            <option value=theme.code() selected=move || current.get() == theme>
                                {move || name(theme)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn every_theme_reads_back_from_its_code_and_nothing_else_does() {
        for theme in Theme::ALL {
            assert_eq!(Theme::parse(theme.code()), Some(theme));
        }
        assert_eq!(Theme::parse("Dark"), None);
        assert_eq!(Theme::parse(""), None);
    }
}
