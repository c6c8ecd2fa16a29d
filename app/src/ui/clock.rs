//! One clock for every relative time on a page ("3 min ago", "waiting 40 s"), redrawn
//! every few seconds so those stay true while the page is open.

use std::time::Duration;

use leptos::prelude::*;

use super::browser::now_millis;

/// How often relative times are redrawn.
const TICK: Duration = Duration::from_secs(5);

#[derive(Clone, Copy)]
struct Now(ReadSignal<i64>);

/// Starts the page's clock; the root component calls it once.
pub fn provide_clock() {
    let (now, set_now) = signal(now_millis());
    let ticker = set_interval_with_handle(move || set_now.set(now_millis()), TICK).ok();
    on_cleanup(move || {
        if let Some(ticker) = ticker {
            ticker.clear();
        }
    });
    provide_context(Now(now));
}

/// The page's clock (milliseconds since the epoch); a still one where none was started.
pub fn use_now() -> Signal<i64> {
    use_context::<Now>()
        .map(|Now(now)| now.into())
        .unwrap_or_else(|| Signal::stored(now_millis()))
}
