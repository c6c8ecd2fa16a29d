//! Small SVG charts for the analytics page: columns (stacked or not), lines, and horizontal
//! bars. Each is a `<figure>` whose `<svg>` scales to its container (readable on a phone), with
//! axes, tick labels, a legend, a `<title>` on every mark (the tooltip on hover) and, behind it,
//! a table of the same numbers for screen readers and for copying.
//!
//! Written here rather than taken from a charting crate: the Rust ones draw to files or a
//! canvas (plotters) or pull a JavaScript library in; four chart shapes are a few hundred lines
//! of SVG with their geometry unit-tested.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// The drawing's size in viewBox units, and the margins for the axes' labels.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;
/// At most this many labels along the bottom axis; the others are left out.
const MAX_LABELS: usize = 8;

/// One named series of values (none: no value that day).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// Its colour's CSS class (`series-1` …).
    pub class: &'static str,
    pub values: Vec<Option<f64>>,
}

/// The ticks of a value axis from 0 to at least `max`: 0 and about four steps of 1, 2 or 5 ×
/// 10ⁿ. The last tick is the axis' top.
pub fn ticks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// Which of `count` bottom labels are shown: every n-th, so at most [`MAX_LABELS`].
pub fn label_step(count: usize) -> usize {
    count.div_ceil(MAX_LABELS).max(1)
}

/// The vertical position of `value` on an axis whose top is `top`.
fn y_of(value: f64, top: f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    HEIGHT - BOTTOM - (value / top).clamp(0.0, 1.0) * plot
}

/// The horizontal slot of label `i` of `count`: its left edge and width.
fn slot(i: usize, count: usize) -> (f64, f64) {
    let width = (WIDTH - LEFT - RIGHT) / count.max(1) as f64;
    (LEFT + i as f64 * width, width)
}

/// The value axis: grid lines and tick labels.
fn value_axis(ticks: &[f64], format: fn(f64) -> String) -> impl IntoView {
    let top = ticks.last().copied().unwrap_or(1.0);
    ticks
        .iter()
        .map(|tick| {
            let y = y_of(*tick, top);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">
                    {format(*tick)}
                </text>
            }
        })
        .collect_view()
}

/// The bottom axis: its line and every [`label_step`]-th label.
fn label_axis(labels: &[String]) -> impl IntoView {
    let step = label_step(labels.len());
    let count = labels.len();
    view! {
        <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM />
        {labels
            .iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
            .map(|(i, label)| {
                let (x, width) = slot(i, count);
                view! {
                    <text
                        class="tick"
                        x=x + width / 2.0
                        y=HEIGHT - BOTTOM + 18.0
                        text-anchor="middle"
                    >
                        {label.clone()}
                    </text>
                }
            })
            .collect_view()}
    }
}

/// The legend: one swatch and name per series.
fn legend(series: &[Series]) -> impl IntoView {
    view! {
        <ul class="legend" aria-hidden="true">
            {series
                .iter()
                .map(|s| {
                    view! {
                        <li>
                            <span class=format!("swatch {}", s.class)></span>
                            {s.name.clone()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The table as CSV: a header row, then a row per label.
pub fn csv(first: &str, labels: &[String], series: &[Series], format: fn(f64) -> String) -> String {
    let mut out =
        crate::csv::row(std::iter::once(first).chain(series.iter().map(|s| s.name.as_str())));
    for (i, label) in labels.iter().enumerate() {
        out.push_str(&crate::csv::row(std::iter::once(label.clone()).chain(
            series.iter().map(|s| {
                s.values
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or(String::new(), format)
            }),
        )));
    }
    out
}

/// `text` percent-encoded for a `data:` URL (everything but unreserved characters).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A file name for a chart's CSV: its title in lower case, words joined by `-`.
fn file_name(title: &str) -> String {
    let slug = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase();
    format!("baton-{slug}.csv")
}

/// The table behind a chart: a row per label, a column per series.
fn data_table(
    caption: &str,
    first: &str,
    labels: &[String],
    series: &[Series],
    format: fn(f64) -> String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="chart-table">
            <summary>{t!(i18n, analytics.table)}</summary>
            <a
                class="csv"
                download=file_name(caption)
                href=format!(
                    "data:text/csv;charset=utf-8,{}",
                    percent_encode(&csv(first, labels, series, format)),
                )
            >
                {t!(i18n, analytics.csv)}
            </a>
            <table>
                <caption>{caption.to_owned()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{first.to_owned()}</th>
                        {series
                            .iter()
                            .map(|s| view! { <th scope="col">{s.name.clone()}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {labels
                        .iter()
                        .enumerate()
                        .map(|(i, label)| {
                            view! {
                                <tr>
                                    <th scope="row">{label.clone()}</th>
                                    {series
                                        .iter()
                                        .map(|s| {
                                            let value = s.values.get(i).copied().flatten();
                                            view! { <td>{value.map_or("—".to_owned(), format)}</td> }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// A chart over the days: its caption, legend, axes, `marks` and table.
fn day_chart(
    title: &str,
    labels: &[String],
    series: &[Series],
    ticks: &[f64],
    format: fn(f64) -> String,
    marks: impl IntoView,
) -> AnyView {
    view! {
        <figure class="chart">
            <figcaption>{title.to_owned()}</figcaption>
            {legend(series)}
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title.to_owned()>
                {value_axis(ticks, format)}
                {label_axis(labels)}
                {marks}
            </svg>
            {data_table(title, "Day", labels, series, format)}
        </figure>
    }
    .into_any()
}

/// Columns per label: side by side, or `stacked` into one.
#[component]
pub fn ColumnChart(
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    #[prop(optional)] stacked: bool,
    format: fn(f64) -> String,
) -> impl IntoView {
    let count = labels.len();
    let max = (0..count)
        .map(|i| {
            let values = series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten());
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let ticks = ticks(max);
    let top = ticks.last().copied().unwrap_or(1.0);
    let marks = (0..count)
        .flat_map(|i| {
            let (x, width) = slot(i, count);
            let inner = width * 0.7;
            let mut base = 0.0;
            series
                .iter()
                .enumerate()
                .filter_map(|(k, s)| {
                    let value = s.values.get(i).copied().flatten()?;
                    let (left, bar_width, from) = if stacked {
                        (x + (width - inner) / 2.0, inner, base)
                    } else {
                        let each = inner / series.len() as f64;
                        (x + (width - inner) / 2.0 + k as f64 * each, each, 0.0)
                    };
                    base = from + value;
                    let (y_top, y_bottom) = (y_of(from + value, top), y_of(from, top));
                    let tip = format!("{} · {}: {}", labels[i], s.name, format(value));
                    Some(view! {
                        <rect
                            class=format!("mark {}", s.class)
                            x=left
                            y=y_top
                            width=bar_width.max(1.0)
                            height=(y_bottom - y_top).max(0.0)
                        >
                            <title>{tip}</title>
                        </rect>
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    day_chart(&title, &labels, &series, &ticks, format, marks)
}

/// A line per series across the labels, with a dot (and its tooltip) at every value.
#[component]
pub fn LineChart(
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    format: fn(f64) -> String,
) -> impl IntoView {
    let count = labels.len();
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .fold(0.0, f64::max);
    let ticks = ticks(max);
    let top = ticks.last().copied().unwrap_or(1.0);
    let lines = series
        .iter()
        .map(|s| {
            let points: Vec<(usize, f64)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect();
            let path = points
                .iter()
                .enumerate()
                .map(|(n, (i, v))| {
                    let (x, width) = slot(*i, count);
                    let command = if n == 0 { 'M' } else { 'L' };
                    format!("{command}{:.1},{:.1}", x + width / 2.0, y_of(*v, top))
                })
                .collect::<Vec<_>>()
                .join(" ");
            let dots = points
                .iter()
                .map(|(i, v)| {
                    let (x, width) = slot(*i, count);
                    let tip = format!("{} · {}: {}", labels[*i], s.name, format(*v));
                    view! {
                        <circle
                            class=format!("mark {}", s.class)
                            cx=x + width / 2.0
                            cy=y_of(*v, top)
                            r="4"
                        >
                            <title>{tip}</title>
                        </circle>
                    }
                })
                .collect_view();
            view! {
                <path class=format!("line {}", s.class) d=path />
                {dots}
            }
        })
        .collect_view();
    day_chart(&title, &labels, &series, &ticks, format, lines)
}

/// One horizontal bar per row, on a scale from 0 to `max` (none: the largest value).
#[component]
pub fn BarList(
    title: String,
    /// The table's first column heading.
    what: &'static str,
    labels: Vec<String>,
    values: Series,
    #[prop(optional)] max: Option<f64>,
    format: fn(f64) -> String,
) -> impl IntoView {
    const ROW: f64 = 28.0;
    const NAME: f64 = 200.0;
    let height = TOP + ROW * labels.len().max(1) as f64 + 8.0;
    let top = max.unwrap_or_else(|| {
        let largest = values.values.iter().flatten().copied().fold(0.0, f64::max);
        ticks(largest).last().copied().unwrap_or(1.0)
    });
    let plot = WIDTH - NAME - RIGHT - 64.0;
    let bars = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let y = TOP + i as f64 * ROW;
            let value = values.values.get(i).copied().flatten();
            let width = value.map_or(0.0, |v| (v / top).clamp(0.0, 1.0) * plot);
            let shown = value.map_or("—".to_owned(), format);
            let tip = format!("{label}: {shown}");
            view! {
                <text class="tick" x=NAME - 8.0 y=y + 17.0 text-anchor="end">
                    {label.clone()}
                </text>
                <rect
                    class=format!("mark {}", values.class)
                    x=NAME
                    y=y + 4.0
                    width=width.max(1.0)
                    height=ROW - 10.0
                >
                    <title>{tip}</title>
                </rect>
                <text class="tick value" x=NAME + width + 6.0 y=y + 17.0>
                    {shown}
                </text>
            }
        })
        .collect_view();
    let empty = labels.is_empty();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <Show when=move || empty>
                <p class="muted">"Nothing in this range yet."</p>
            </Show>
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-label=title.clone()
                class:hidden=empty
            >
                <line class="axis" x1=NAME x2=NAME y1=TOP y2=height - 8.0 />
                {bars}
            </svg>
            {data_table(&title, what, &labels, std::slice::from_ref(&values), format)}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_a_round_number_at_or_above_the_largest_value() {
        assert_eq!(ticks(10.0), [0.0, 5.0, 10.0]);
        assert_eq!(ticks(7.0), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(0.93), [0.0, 0.5, 1.0]);
        assert_eq!(ticks(130_000.0), [0.0, 50_000.0, 100_000.0, 150_000.0]);
        // Nothing to show: still an axis.
        assert_eq!(ticks(0.0), [0.0, 0.5, 1.0]);
        assert_eq!(ticks(f64::NAN), [0.0, 0.5, 1.0]);
        for max in [1.0, 3.3, 17.0, 99.0, 101.0, 2_500.0] {
            let ticks = ticks(max);
            assert!(*ticks.last().unwrap() >= max, "{max}: {ticks:?}");
            assert!(ticks.len() <= 6, "{max}: {ticks:?}");
        }
    }

    #[test]
    fn a_table_downloads_as_csv_that_a_spreadsheet_reads_as_written() {
        let series = [Series {
            name: "Waits".into(),
            class: "series-1",
            values: vec![Some(2.0), None],
        }];
        let labels = ["Asked, politely".to_owned(), "=HYPERLINK(\"x\")".to_owned()];
        let text = csv("Reason", &labels, &series, |v| format!("{v:.0}"));
        assert_eq!(
            text,
            "Reason,Waits\r\n\"Asked, politely\",2\r\n\"'=HYPERLINK(\"\"x\"\")\",\r\n"
        );
        assert_eq!(percent_encode("a b,ç"), "a%20b%2C%C3%A7");
        assert_eq!(
            file_name("CSAT: how customers rated"),
            "baton-csat-how-customers-rated.csv"
        );
    }

    #[test]
    fn at_most_eight_day_labels_show() {
        assert_eq!(label_step(7), 1);
        assert_eq!(label_step(8), 1);
        assert_eq!(label_step(9), 2);
        assert_eq!(label_step(31), 4);
        assert_eq!(label_step(0), 1);
    }

    #[test]
    fn values_map_inside_the_plot_and_zero_sits_on_the_axis() {
        assert_eq!(y_of(0.0, 10.0), HEIGHT - BOTTOM);
        assert_eq!(y_of(10.0, 10.0), TOP);
        assert_eq!(y_of(20.0, 10.0), TOP, "clamped to the top");
        let (x, width) = slot(3, 4);
        assert!((x + width - (WIDTH - RIGHT)).abs() < 1e-9);
    }
}
