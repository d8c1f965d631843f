//! Charts as SVG drawn on the server: they read without JavaScript, scale
//! with the page, and carry their numbers in `<title>` tooltips. Only
//! presentation attributes are used (no inline styles), which the
//! Content-Security-Policy allows; colours come from the stylesheet's
//! classes.

use std::fmt::Write as _;

use crate::alert::escape;

/// The chart's drawing area and the margins for its axis labels.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// One bar: its label under the axis (empty for none) and its tooltip.
pub struct Bar {
    pub value: u64,
    pub label: String,
    pub tip: String,
}

/// A bar chart with a y axis, labels under some bars and, when given, a
/// line (the 7-day average) over them; the last bar, the bucket now, in
/// the accent colour. `title` names it for screen readers.
pub fn bar_chart(title: &str, bars: &[Bar], line: Option<&[f64]>) -> String {
    let count = bars.len().max(1) as f64;
    let top = nice_top(
        bars.iter()
            .map(|b| b.value as f64)
            .chain(line.into_iter().flatten().copied())
            .fold(0.0, f64::max),
    );
    let plot_w = WIDTH - LEFT;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let step = plot_w / count;
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    for tick in [0.0, top / 2.0, top] {
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{x}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>",
            y = y(tick),
            x = LEFT - 6.0,
            ty = y(tick) + 4.0,
            label = format_tick(tick)
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let x = LEFT + i as f64 * step;
        let h = bar.value as f64 / top * plot_h;
        let class = if i + 1 == bars.len() {
            "bar now"
        } else {
            "bar"
        };
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\">\
             <title>{}</title></rect>",
            x + step * 0.1,
            TOP + plot_h - h,
            (step * 0.8).max(1.0),
            escape(&bar.tip)
        );
        if !bar.label.is_empty() {
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + step / 2.0,
                HEIGHT - 6.0,
                escape(&bar.label)
            );
        }
    }
    if let Some(line) = line {
        let points: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", LEFT + (i as f64 + 0.5) * step, y(*v)))
            .collect();
        let _ = write!(
            svg,
            "<polyline class=\"average\" fill=\"none\" points=\"{}\"/>",
            points.join(" ")
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar per day of `per_day`, the last one `today`, with a date under
/// every `label_every`th and "date: N what" as its tooltip.
pub fn day_bars(
    per_day: &[u64],
    today: chrono::NaiveDate,
    label_every: usize,
    what: &str,
) -> Vec<Bar> {
    let first = today - chrono::Days::new(per_day.len().saturating_sub(1) as u64);
    per_day
        .iter()
        .enumerate()
        .map(|(i, &value)| {
            let day = first + chrono::Days::new(i as u64);
            Bar {
                value,
                label: if i.is_multiple_of(label_every.max(1)) {
                    day.format("%b %-d").to_string()
                } else {
                    String::new()
                },
                tip: format!("{}: {value} {what}", day.format("%a %Y-%m-%d")),
            }
        })
        .collect()
}

/// A small line of `values` for a table cell, with its numbers in the
/// tooltip.
pub fn sparkline(values: &[u64], tip: &str) -> String {
    let (w, h) = (112.0, 24.0);
    let top = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = w / values.len().max(1) as f64;
    let mut svg = format!(
        "<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(tip)
    );
    for (i, v) in values.iter().enumerate() {
        let bar = (*v as f64 / top * (h - 2.0)).max(if *v > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar:.1}\"/>",
            i as f64 * step + 0.5,
            h - 1.0 - bar,
            (step - 1.0).max(1.0)
        );
    }
    let _ = write!(
        svg,
        "<line class=\"grid\" x1=\"0\" x2=\"{w}\" y1=\"{y}\" y2=\"{y}\"/>",
        y = h - 0.5
    );
    svg.push_str("</svg>");
    svg
}

/// The mean of the `days` values up to and including each one (fewer at
/// the start).
pub fn trailing_average(values: &[u64], days: usize) -> Vec<f64> {
    (0..values.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(days);
            let window = &values[from..=i];
            window.iter().sum::<u64>() as f64 / window.len() as f64
        })
        .collect()
}

/// A round value at or above `max` for the top of the axis.
fn nice_top(max: f64) -> f64 {
    if max <= 4.0 {
        return 4.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|top| *top >= max)
        .unwrap_or(max)
}

fn format_tick(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(values: &[u64]) -> Vec<Bar> {
        values
            .iter()
            .map(|&value| Bar {
                value,
                label: String::new(),
                tip: format!("{value} <matches>"),
            })
            .collect()
    }

    #[test]
    fn bars_scale_to_a_round_top_and_the_last_is_marked() {
        let svg = bar_chart("ceasefire & co", &bars(&[1, 2, 3, 47]), None);
        assert!(svg.contains("<title>ceasefire &amp; co</title>"), "{svg}");
        assert!(
            svg.contains(">50</text>"),
            "the axis tops at a round 50: {svg}"
        );
        assert_eq!(svg.matches("class=\"bar now\"").count(), 1);
        assert!(svg.contains("<title>47 &lt;matches&gt;</title>"));
    }

    #[test]
    fn the_average_trails_over_its_days() {
        assert_eq!(
            trailing_average(&[7, 0, 0, 14], 2),
            vec![7.0, 3.5, 0.0, 7.0]
        );
    }

    #[test]
    fn nice_tops_round_up() {
        assert_eq!(nice_top(0.0), 4.0);
        assert_eq!(nice_top(13.0), 20.0);
        assert_eq!(nice_top(230.0), 250.0);
        assert_eq!(nice_top(1000.0), 1000.0);
    }
}
