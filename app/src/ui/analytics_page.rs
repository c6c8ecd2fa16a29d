//! `/analytics`: what supervisors and admins read about the hand-off in ten seconds — tiles
//! for the headline figures with their change against the period before, and charts (each
//! with its table) of the days, the escalation reasons and the agents. Every figure is defined
//! in [`crate::domain::analytics`]; the page refetches every few seconds, so it can be watched
//! through a shift.

use std::time::Duration;

use leptos::prelude::*;

use super::browser::{now_millis, utc_offset_minutes};
use super::charts::{BarList, ColumnChart, LineChart, Series};
use super::role_page::RolePage;
use crate::api::analytics::{analytics_report, Analytics, RangeQuery};
use crate::domain::analytics::{date_of, day_of, day_start, local_day, ratio, Report, Totals};
use crate::domain::{EscalationReason, Role};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};

/// How often the figures are fetched again while the page is open.
const REFRESH: Duration = Duration::from_secs(10);

/// "340 ms", "4.2 s", "42 s", "3.5 min", "12 min", "1.5 h".
pub fn duration(ms: f64) -> String {
    let secs = ms / 1_000.0;
    if ms > 0.0 && ms < 1_000.0 {
        format!("{ms:.0} ms")
    } else if secs > 0.0 && secs < 10.0 {
        format!("{secs:.1} s")
    } else if secs < 60.0 {
        format!("{secs:.0} s")
    } else if secs < 600.0 {
        format!("{:.1} min", secs / 60.0)
    } else if secs < 3_600.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3_600.0)
    }
}

/// A share as a whole percentage: "85%".
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn count(value: f64) -> String {
    format!("{value:.0}")
}

/// Whether a rise of a figure is good news.
#[derive(Clone, Copy)]
enum Better {
    Up,
    Down,
}

/// How a figure moved against the period before: "▲ 5 pts", "▼ 30 s", "no change".
fn change(
    l: Locale,
    now: Option<f64>,
    before: Option<f64>,
    show: impl Fn(f64) -> String,
) -> Option<String> {
    let (now, before) = (now?, before?);
    let delta = now - before;
    if delta.abs() < 1e-9 {
        return Some(td_string!(l, analytics.no_change).into());
    }
    let arrow = if delta > 0.0 { '▲' } else { '▼' };
    Some(format!("{arrow} {}", show(delta.abs())))
}

fn points(l: Locale) -> impl Fn(f64) -> String {
    move |share| td_string!(l, analytics.points, n = format!("{:.0}", share * 100.0)).to_string()
}

/// One headline figure: its value, a detail line, and its change against the period before.
#[component]
fn Tile(
    /// Names the tile for tests, in any language.
    id: &'static str,
    label: &'static str,
    value: String,
    #[prop(optional)] detail: Option<String>,
    moved: Option<String>,
    better: Better,
    locale: Locale,
) -> impl IntoView {
    let tone = match (&moved, better) {
        (Some(m), Better::Up) if m.starts_with('▲') => "good",
        (Some(m), Better::Down) if m.starts_with('▼') => "good",
        (Some(m), _) if m.starts_with('▲') || m.starts_with('▼') => "bad",
        _ => "",
    };
    view! {
        <div class="tile" role="group" aria-label=label>
            <span class="tile-label">{label}</span>
            <span class="tile-value" data-testid=id>
                {value}
            </span>
            {detail.map(|d| view! { <span class="tile-detail">{d}</span> })}
            <span class=format!(
                "tile-change {tone}",
            )>
                {moved
                    .map_or(
                        td_string!(locale, analytics.no_earlier).to_owned(),
                        |m| td_string!(locale, analytics.vs_previous, change = m).to_string(),
                    )}
            </span>
        </div>
    }
}

/// The headline tiles.
fn tiles(l: Locale, now: &Totals, before: &Totals) -> AnyView {
    let ms = |value: Option<i64>| value.map(|v| v as f64);
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    view! {
        <div class="tiles">
            <Tile
                id="Conversations"
                label=td_string!(l, analytics.conversations)
                locale=l
                value=now.started.to_string()
                moved=change(
                    l,
                    Some(f64::from(now.started)),
                    Some(f64::from(before.started)),
                    count,
                )
                better=Better::Up
            />
            <Tile
                id="AI containment"
                label=td_string!(l, analytics.containment)
                locale=l
                value=or_dash(now.containment().map(percent))
                detail=td_string!(
                    l, analytics.containment_detail, ai = now.ai_only, all = now.started
                )
                    .to_string()
                moved=change(l, now.containment(), before.containment(), points(l))
                better=Better::Up
            />
            <Tile
                id="Time to human (median)"
                label=td_string!(l, analytics.time_to_human)
                locale=l
                value=or_dash(ms(now.time_to_human.p50_ms).map(duration))
                detail=td_string!(
                    l,
                    analytics.time_to_human_detail,
                    p90 = or_dash(ms(now.time_to_human.p90_ms).map(duration)),
                    served = now.time_to_human.count
                )
                    .to_string()
                moved=change(
                    l,
                    ms(now.time_to_human.p50_ms),
                    ms(before.time_to_human.p50_ms),
                    duration,
                )
                better=Better::Down
            />
            <Tile
                id="First human reply (median)"
                label=td_string!(l, analytics.first_reply)
                locale=l
                value=or_dash(ms(now.first_reply.p50_ms).map(duration))
                detail=format!("p90 {}", or_dash(ms(now.first_reply.p90_ms).map(duration)))
                moved=change(l, ms(now.first_reply.p50_ms), ms(before.first_reply.p50_ms), duration)
                better=Better::Down
            />
            <Tile
                id="Waiting abandoned"
                label=td_string!(l, analytics.abandoned)
                locale=l
                value=or_dash(now.abandonment().map(percent))
                detail=td_string!(
                    l, analytics.abandoned_detail, left = now.abandoned, waits = now.waits
                )
                    .to_string()
                moved=change(l, now.abandonment(), before.abandonment(), points(l))
                better=Better::Down
            />
            <Tile
                id="Handover held"
                label=td_string!(l, analytics.held)
                locale=l
                value=or_dash(now.handover_held().map(percent))
                detail=td_string!(
                    l, analytics.held_detail, held = now.handovers_held, all = now.handovers
                )
                    .to_string()
                moved=change(l, now.handover_held(), before.handover_held(), points(l))
                better=Better::Up
            />
            <Tile
                id="CSAT"
                label=td_string!(l, analytics.csat)
                locale=l
                value=or_dash(now.csat.average().map(|a| format!("{a:.1} / 5")))
                detail=match now.csat.count() {
                    1 => td_string!(l, analytics.one_rating).to_owned(),
                    n => td_string!(l, analytics.ratings, n).to_string(),
                }
                moved=change(l, now.csat.average(), before.csat.average(), |d| format!("{d:.1}"))
                better=Better::Up
            />
            <Tile
                id="Transfers per conversation"
                label=td_string!(l, analytics.transfers)
                locale=l
                value=or_dash(now.transfers_per_conversation().map(|t| format!("{t:.2}")))
                moved=change(
                    l,
                    now.transfers_per_conversation(),
                    before.transfers_per_conversation(),
                    |d| format!("{d:.2}"),
                )
                better=Better::Down
            />
        </div>
    }
    .into_any()
}

/// A reason as short as a chart's row label must be.
fn short_label(l: Locale, reason: EscalationReason) -> &'static str {
    match reason {
        EscalationReason::CustomerAsked => td_string!(l, analytics.asked),
        EscalationReason::LowConfidence => td_string!(l, analytics.low_confidence),
        EscalationReason::Frustration => td_string!(l, analytics.frustrated),
        EscalationReason::AiUnavailable => td_string!(l, analytics.ai_unavailable),
        EscalationReason::NoReply => td_string!(l, analytics.no_reply),
        EscalationReason::OwnerOffline => td_string!(l, analytics.offline),
        EscalationReason::OwnerAway => td_string!(l, analytics.away),
    }
}

/// The charts of a report.
fn charts(l: Locale, report: &Report) -> AnyView {
    let days: Vec<String> = report
        .days
        .iter()
        .map(|d| d.date.get(5..).unwrap_or(&d.date).to_owned())
        .collect();
    let per_day =
        |class, name: &str, value: fn(&crate::domain::analytics::Day) -> Option<f64>| Series {
            name: name.into(),
            class,
            values: report.days.iter().map(value).collect(),
        };
    let resolved = vec![
        per_day("series-1", td_string!(l, analytics.ai_only), |d| {
            Some(f64::from(d.ai_only))
        }),
        per_day("series-2", td_string!(l, analytics.a_person), |d| {
            Some(f64::from(d.human))
        }),
        per_day("series-3", td_string!(l, analytics.unserved), |d| {
            Some(f64::from(d.unserved))
        }),
    ];
    let waits = vec![
        per_day("series-2", td_string!(l, analytics.median), |d| {
            d.time_to_human.p50_ms.map(|v| v as f64)
        }),
        per_day("series-4", td_string!(l, analytics.p90), |d| {
            d.time_to_human.p90_ms.map(|v| v as f64)
        }),
    ];
    let reasons = Series {
        name: td_string!(l, analytics.waits).into(),
        class: "series-3",
        values: report
            .reasons
            .iter()
            .map(|r| Some(f64::from(r.count)))
            .collect(),
    };
    let reason_labels = report
        .reasons
        .iter()
        .map(|r| short_label(l, r.reason).to_owned())
        .collect();
    let held = Series {
        name: td_string!(l, analytics.handovers_held).into(),
        class: "series-1",
        values: report
            .agents
            .iter()
            .map(|a| ratio(a.handovers_held, a.handovers))
            .collect(),
    };
    let agent_labels: Vec<String> = report
        .agents
        .iter()
        .map(|a| format!("{} ({})", a.agent.name, a.handovers))
        .collect();
    let scores = Series {
        name: td_string!(l, analytics.rating_series).into(),
        class: "series-4",
        values: report
            .totals
            .csat
            .distribution
            .iter()
            .map(|count| Some(f64::from(*count)))
            .collect(),
    };
    let score_labels = [
        td_string!(l, analytics.very_poor),
        td_string!(l, analytics.poor),
        td_string!(l, analytics.okay),
        td_string!(l, analytics.good),
        td_string!(l, analytics.excellent),
    ]
    .map(str::to_owned)
    .to_vec();
    let rated: Vec<_> = report
        .agents
        .iter()
        .filter(|a| a.csat.count() > 0)
        .collect();
    let per_agent = Series {
        name: td_string!(l, analytics.average_rating).into(),
        class: "series-2",
        values: rated.iter().map(|a| a.csat.average()).collect(),
    };
    let rated_labels = rated
        .iter()
        .map(|a| format!("{} ({})", a.agent.name, a.csat.count()))
        .collect();
    view! {
        <div class="charts">
            <ColumnChart
                title=td_string!(l, analytics.per_day_chart).into()
                labels=days.clone()
                series=resolved
                stacked=true
                format=count
            />
            <LineChart
                title=td_string!(l, analytics.time_chart).into()
                labels=days
                series=waits
                format=duration
            />
            <BarList
                title=td_string!(l, analytics.reasons_chart).into()
                what=td_string!(l, analytics.reason)
                labels=reason_labels
                values=reasons
                format=count
            />
            <BarList
                title=td_string!(l, analytics.held_chart).into()
                what=td_string!(l, analytics.agent)
                labels=agent_labels
                values=held
                max=1.0
                format=percent
            />
            <BarList
                title=td_string!(l, analytics.csat_chart).into()
                what=td_string!(l, analytics.rating)
                labels=score_labels
                values=scores
                format=count
            />
            <BarList
                title=td_string!(l, analytics.csat_agent_chart).into()
                what=td_string!(l, analytics.agent)
                labels=rated_labels
                values=per_agent
                max=5.0
                format=|v| format!("{v:.1}")
            />
        </div>
    }
    .into_any()
}

/// The analytics page.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! {
        <RolePage
            class="analytics"
            title=td_string!(l, analytics.title)
            admits=Role::sees_analytics
            refusal=td_string!(l, analytics.refusal)
            sign_in=td_string!(l, analytics.sign_in)
        >
            <AnalyticsDesk />
        </RolePage>
    }
}

/// The range picker, the tiles and the charts.
#[component]
fn AnalyticsDesk() -> impl IntoView {
    let i18n = use_i18n();
    let offset = utc_offset_minutes();
    let today = local_day(crate::domain::Timestamp(now_millis()), offset);
    // Local days, both included.
    let first = RwSignal::new(today - 6);
    let last = RwSignal::new(today);
    let range = move || RangeQuery {
        from: day_start(first.get(), offset),
        to: day_start(last.get() + 1, offset),
        utc_offset_minutes: Some(offset),
    };
    let report = LocalResource::new(move || {
        let range = range();
        analytics_report(range.from, range.to, range.utc_offset_minutes)
    });
    let ticker = set_interval_with_handle(move || report.refetch(), REFRESH).ok();
    on_cleanup(move || {
        if let Some(ticker) = ticker {
            ticker.clear();
        }
    });
    let pick = move |first_day: i64| {
        first.set(first_day);
        last.set(today);
    };
    let date_input = move |label: fn(Locale) -> &'static str, day: RwSignal<i64>| {
        view! {
            <label class="range-field">
                {move || label(i18n.get_locale())}
                <input
                    type="date"
                    prop:value=move || date_of(day.get())
                    on:change=move |ev| {
                        if let Some(picked) = day_of(&event_target_value(&ev)) {
                            day.set(picked);
                        }
                    }
                />
            </label>
        }
    };

    view! {
        <section class="card range" aria-label=move || t_string!(i18n, analytics.range)>
            {date_input(|l| td_string!(l, analytics.from), first)}
            {date_input(|l| td_string!(l, analytics.to), last)}
            <div
                class="range-quick"
                role="group"
                aria-label=move || t_string!(i18n, analytics.quick)
            >
                <button class="button ghost" on:click=move |_| pick(today)>
                    {t!(i18n, analytics.today)}
                </button>
                <button class="button ghost" on:click=move |_| pick(today - 6)>
                    {t!(i18n, analytics.last_7)}
                </button>
                <button class="button ghost" on:click=move |_| pick(today - 29)>
                    {t!(i18n, analytics.last_30)}
                </button>
            </div>
            {move || {
                (first.get() <= last.get())
                    .then(|| {
                        view! {
                            <a class="button" download="" href=range().conversations_csv()>
                                {t!(i18n, analytics.download_conversations)}
                            </a>
                        }
                    })
            }}
        </section>
        {move || {
            (first.get() > last.get())
                .then(|| {
                    view! {
                        <p class="banner warn" role="status">
                            {t!(i18n, analytics.backwards)}
                        </p>
                    }
                })
        }}
        <Transition fallback=move || {
            view! {
                <p class="muted" role="status">
                    {t!(i18n, dash.loading)}
                </p>
            }
        }>
            {move || {
                report
                    .get()
                    .map(|result| match result {
                        Ok(Analytics { report, previous }) => {
                            view! {
                                {tiles(i18n.get_locale(), &report.totals, &previous)}
                                {charts(i18n.get_locale(), &report)}
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <p class="banner error" role="alert">
                                    {err.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_unit_a_person_would_say() {
        assert_eq!(duration(42_000.0), "42 s");
        assert_eq!(duration(340.0), "340 ms");
        assert_eq!(duration(4_240.0), "4.2 s");
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(210_000.0), "3.5 min");
        assert_eq!(duration(720_000.0), "12 min");
        assert_eq!(duration(5_400_000.0), "1.5 h");
    }

    #[test]
    fn a_change_says_which_way_and_by_how_much() {
        assert_eq!(
            change(Locale::en, Some(0.8), Some(0.75), points(Locale::en)).unwrap(),
            "▲ 5 pts"
        );
        assert_eq!(
            change(Locale::id, Some(0.8), Some(0.75), points(Locale::id)).unwrap(),
            "▲ 5 poin"
        );
        assert_eq!(
            change(Locale::en, Some(30_000.0), Some(60_000.0), duration).unwrap(),
            "▼ 30 s"
        );
        assert_eq!(
            change(Locale::en, Some(1.0), Some(1.0), count).unwrap(),
            "no change"
        );
        assert_eq!(change(Locale::en, Some(1.0), None, count), None);
        assert_eq!(percent(0.854), "85%");
    }
}
