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
use crate::api::analytics::{analytics_report, Analytics};
use crate::domain::analytics::{date_of, day_of, day_start, local_day, ratio, Report, Totals};
use crate::domain::{EscalationReason, Role};

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
fn change(now: Option<f64>, before: Option<f64>, show: fn(f64) -> String) -> Option<String> {
    let (now, before) = (now?, before?);
    let delta = now - before;
    if delta.abs() < 1e-9 {
        return Some("no change".into());
    }
    let arrow = if delta > 0.0 { '▲' } else { '▼' };
    Some(format!("{arrow} {}", show(delta.abs())))
}

fn points(share: f64) -> String {
    format!("{:.0} pts", share * 100.0)
}

/// One headline figure: its value, a detail line, and its change against the period before.
#[component]
fn Tile(
    label: &'static str,
    value: String,
    #[prop(optional)] detail: Option<String>,
    moved: Option<String>,
    better: Better,
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
            <span class="tile-value" data-testid=label>
                {value}
            </span>
            {detail.map(|d| view! { <span class="tile-detail">{d}</span> })}
            <span class=format!(
                "tile-change {tone}",
            )>
                {moved.map_or("no earlier data".to_owned(), |m| format!("{m} vs previous period"))}
            </span>
        </div>
    }
}

/// The headline tiles.
fn tiles(now: &Totals, before: &Totals) -> AnyView {
    let ms = |value: Option<i64>| value.map(|v| v as f64);
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    view! {
        <div class="tiles">
            <Tile
                label="Conversations"
                value=now.started.to_string()
                moved=change(Some(f64::from(now.started)), Some(f64::from(before.started)), count)
                better=Better::Up
            />
            <Tile
                label="AI containment"
                value=or_dash(now.containment().map(percent))
                detail=format!("{} of {} without a person", now.ai_only, now.started)
                moved=change(now.containment(), before.containment(), points)
                better=Better::Up
            />
            <Tile
                label="Time to human (median)"
                value=or_dash(ms(now.time_to_human.p50_ms).map(duration))
                detail=format!(
                    "p90 {} · {} served",
                    or_dash(ms(now.time_to_human.p90_ms).map(duration)),
                    now.time_to_human.count,
                )
                moved=change(
                    ms(now.time_to_human.p50_ms),
                    ms(before.time_to_human.p50_ms),
                    duration,
                )
                better=Better::Down
            />
            <Tile
                label="First human reply (median)"
                value=or_dash(ms(now.first_reply.p50_ms).map(duration))
                detail=format!("p90 {}", or_dash(ms(now.first_reply.p90_ms).map(duration)))
                moved=change(ms(now.first_reply.p50_ms), ms(before.first_reply.p50_ms), duration)
                better=Better::Down
            />
            <Tile
                label="Waiting abandoned"
                value=or_dash(now.abandonment().map(percent))
                detail=format!("{} of {} waits", now.abandoned, now.waits)
                moved=change(now.abandonment(), before.abandonment(), points)
                better=Better::Down
            />
            <Tile
                label="Handover held"
                value=or_dash(now.handover_held().map(percent))
                detail=format!("{} of {} handovers", now.handovers_held, now.handovers)
                moved=change(now.handover_held(), before.handover_held(), points)
                better=Better::Up
            />
            <Tile
                label="CSAT"
                value=or_dash(now.csat.average().map(|a| format!("{a:.1} / 5")))
                detail=match now.csat.count() {
                    1 => "1 rating".to_owned(),
                    n => format!("{n} ratings"),
                }
                moved=change(now.csat.average(), before.csat.average(), |d| format!("{d:.1}"))
                better=Better::Up
            />
            <Tile
                label="Transfers per conversation"
                value=or_dash(now.transfers_per_conversation().map(|t| format!("{t:.2}")))
                moved=change(
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
fn short_label(reason: EscalationReason) -> &'static str {
    match reason {
        EscalationReason::CustomerAsked => "Asked for a person",
        EscalationReason::LowConfidence => "AI not confident",
        EscalationReason::Frustration => "Frustrated",
        EscalationReason::AiUnavailable => "AI unavailable",
        EscalationReason::NoReply => "Requeued: no reply",
        EscalationReason::OwnerOffline => "Requeued: offline",
        EscalationReason::OwnerAway => "Requeued: away",
    }
}

/// The charts of a report.
fn charts(report: &Report) -> AnyView {
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
        per_day("series-1", "AI only", |d| Some(f64::from(d.ai_only))),
        per_day("series-2", "A person", |d| Some(f64::from(d.human))),
        per_day("series-3", "Waited, nobody came", |d| {
            Some(f64::from(d.unserved))
        }),
    ];
    let waits = vec![
        per_day("series-2", "Median", |d| {
            d.time_to_human.p50_ms.map(|v| v as f64)
        }),
        per_day("series-4", "90th percentile", |d| {
            d.time_to_human.p90_ms.map(|v| v as f64)
        }),
    ];
    let reasons = Series {
        name: "Waits".into(),
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
        .map(|r| short_label(r.reason).to_owned())
        .collect();
    let held = Series {
        name: "Handovers held".into(),
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
        name: "Ratings".into(),
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
        "1 · Very poor",
        "2 · Poor",
        "3 · Okay",
        "4 · Good",
        "5 · Excellent",
    ]
    .map(str::to_owned)
    .to_vec();
    let rated: Vec<_> = report
        .agents
        .iter()
        .filter(|a| a.csat.count() > 0)
        .collect();
    let per_agent = Series {
        name: "Average rating".into(),
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
                title="Conversations per day, by who resolved them".into()
                labels=days.clone()
                series=resolved
                stacked=true
                format=count
            />
            <LineChart
                title="Time to human per day".into()
                labels=days
                series=waits
                format=duration
            />
            <BarList
                title="Why customers waited for a person".into()
                what="Reason"
                labels=reason_labels
                values=reasons
                format=count
            />
            <BarList
                title="Handovers that held, per agent (handovers decided)".into()
                what="Agent"
                labels=agent_labels
                values=held
                max=1.0
                format=percent
            />
            <BarList
                title="CSAT: how customers rated".into()
                what="Rating"
                labels=score_labels
                values=scores
                format=count
            />
            <BarList
                title="CSAT average per agent (ratings)".into()
                what="Agent"
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
    view! {
        <RolePage
            class="analytics"
            title="Baton · Analytics"
            admits=Role::sees_analytics
            refusal="Only supervisors and admins can see analytics."
            sign_in="Sign in as a supervisor on the agent page first."
        >
            <AnalyticsDesk />
        </RolePage>
    }
}

/// The range picker, the tiles and the charts.
#[component]
fn AnalyticsDesk() -> impl IntoView {
    let offset = utc_offset_minutes();
    let today = local_day(crate::domain::Timestamp(now_millis()), offset);
    // Local days, both included.
    let first = RwSignal::new(today - 6);
    let last = RwSignal::new(today);
    let report = LocalResource::new(move || {
        let (first, last) = (first.get(), last.get());
        analytics_report(
            day_start(first, offset),
            day_start(last + 1, offset),
            Some(offset),
        )
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
    let date_input = move |label: &'static str, day: RwSignal<i64>| {
        view! {
            <label class="range-field">
                {label}
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
        <section class="card range" aria-label="Date range">
            {date_input("From", first)}
            {date_input("To", last)}
            <div class="range-quick" role="group" aria-label="Quick ranges">
                <button class="button ghost" on:click=move |_| pick(today)>
                    "Today"
                </button>
                <button class="button ghost" on:click=move |_| pick(today - 6)>
                    "Last 7 days"
                </button>
                <button class="button ghost" on:click=move |_| pick(today - 29)>
                    "Last 30 days"
                </button>
            </div>
        </section>
        {move || {
            (first.get() > last.get())
                .then(|| {
                    view! {
                        <p class="banner warn" role="status">
                            "The range ends before it starts."
                        </p>
                    }
                })
        }}
        <Transition fallback=|| {
            view! {
                <p class="muted" role="status">
                    "Loading…"
                </p>
            }
        }>
            {move || {
                report
                    .get()
                    .map(|result| match result {
                        Ok(Analytics { report, previous }) => {
                            view! {
                                {tiles(&report.totals, &previous)}
                                {charts(&report)}
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
        assert_eq!(change(Some(0.8), Some(0.75), points).unwrap(), "▲ 5 pts");
        assert_eq!(
            change(Some(30_000.0), Some(60_000.0), duration).unwrap(),
            "▼ 30 s"
        );
        assert_eq!(change(Some(1.0), Some(1.0), count).unwrap(), "no change");
        assert_eq!(change(Some(1.0), None, count), None);
        assert_eq!(percent(0.854), "85%");
    }
}
