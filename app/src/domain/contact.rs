//! The customer as a person: who they are as far as Baton knows — the name they gave, the
//! e-mail address they left, who the host site verified them to be, the device and page they
//! wrote from — since when, and their other conversations: those started in the same browser
//! (a new chat names the one the browser held, proven by its token) and those of the same
//! verified customer on any device.

use serde::{Deserialize, Serialize};

use super::{ConversationId, Locale, Timestamp, VerifiedCustomer};

/// The longest page address kept.
pub const MAX_PAGE_CHARS: usize = 2_000;
/// Earlier conversations a contact lists at most, newest first.
pub const MAX_EARLIER: u32 = 50;

/// A conversation's customer, for the agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub conversation_id: ConversationId,
    /// The name they gave (or the host site's name for them).
    pub name: String,
    /// The e-mail address they left for the team, if any.
    pub email: Option<String>,
    /// Who the host site verified them to be; none for an anonymous customer.
    pub verified: Option<VerifiedCustomer>,
    /// Their language.
    pub locale: Locale,
    /// The browser and system they wrote from ("Chrome on Android"), when known.
    pub device: Option<String>,
    /// The page they started this conversation from (the widget's host page), when known.
    pub page: Option<String>,
    /// When their first conversation Baton knows of started.
    pub first_seen: Timestamp,
    /// Their other conversations, newest first (at most [`MAX_EARLIER`]).
    pub earlier: Vec<EarlierConversation>,
}

/// Another conversation of the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EarlierConversation {
    pub id: ConversationId,
    pub started_at: Timestamp,
    pub last_active: Timestamp,
    pub closed: bool,
    /// Its latest message, shortened.
    pub preview: Option<String>,
}

impl Contact {
    /// True when Baton knows this customer from before this conversation.
    pub fn is_returning(&self) -> bool {
        !self.earlier.is_empty()
    }
}

/// The device a `User-Agent` header describes, as a person says it: "Chrome on Android",
/// "Safari on iPhone", "Firefox on Windows"; none when it names no browser or system Baton
/// knows.
pub fn device_of(user_agent: &str) -> Option<String> {
    const SYSTEMS: &[(&str, &str)] = &[
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    let first = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| *name)
    };
    match (first(BROWSERS), first(SYSTEMS)) {
        (Some(browser), Some(system)) => Some(format!("{browser} on {system}")),
        (Some(only), None) | (None, Some(only)) => Some(only.to_owned()),
        (None, None) => None,
    }
}

/// The page a conversation started from, as the customer's page reports it: an absolute
/// `http(s)` address of at most [`MAX_PAGE_CHARS`] characters.
pub fn page_of(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let refuse = |why: &str| Err(format!("The page address {why}"));
    if raw.chars().count() > MAX_PAGE_CHARS {
        return refuse("is longer than 2,000 characters");
    }
    if raw.chars().any(char::is_control) {
        return refuse("contains control characters");
    }
    let Ok(uri) = raw.parse::<http::Uri>() else {
        return refuse("is not a valid URL");
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return refuse("must be an http(s) URL with a host");
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_agent_reads_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
                "Firefox on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
                "Samsung Internet on Android",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
        ];
        for (header, device) in cases {
            assert_eq!(device_of(header).as_deref(), Some(device), "{header}");
        }
        assert_eq!(device_of("curl/8.5.0"), None);
        assert_eq!(device_of(""), None);
    }

    #[test]
    fn a_page_is_an_absolute_http_address() {
        assert_eq!(
            page_of(" https://shop.example/orders/42?tab=2 "),
            Ok("https://shop.example/orders/42?tab=2".into())
        );
        for bad in [
            "",
            "/orders",
            "javascript:alert(1)",
            "ftp://shop.example/",
            "https://shop.example/a\nb",
        ] {
            assert!(page_of(bad).is_err(), "{bad:?}");
        }
        assert!(page_of(&format!("https://shop.example/{}", "a".repeat(2_000))).is_err());
    }
}
