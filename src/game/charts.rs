//! Charts (egui_plot): one idea per chart, a title that states it, axes labelled with
//! units, quarters on the x axis, amounts from zero, dashed labelled reference lines,
//! and the theme's colours for companies and channels.

use super::theme::{self, MUTED, REFERENCE};
use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{AxisHints, Bar, BarChart, HLine, Legend, Line, LineStyle, Plot, PlotPoints, uniform_grid_spacer};

/// One line over quarters.
pub struct Series {
    pub name: String,
    pub color: Color32,
    pub values: Vec<f64>,
}

/// A dashed, labelled reference line.
pub struct Reference {
    pub name: String,
    pub value: f64,
}

/// A plot that does not move: no zoom, drag, scroll or crosshair; y from zero; one x
/// grid line per index.
fn fixed_plot<'a>(id: &str, height: f32, y_label: &str) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .y_axis_label(y_label)
        .include_y(0.0)
        .show_crosshair(false)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .x_grid_spacer(uniform_grid_spacer(|_| [1.0, 2.0, 4.0]))
        .y_axis_formatter(|mark, _| tick_label(mark.value))
        .y_grid_spacer(uniform_grid_spacer(|input| {
            let step = nice_step((input.bounds.1 - input.bounds.0).abs() / 4.0);
            [step / 2.0, step, step * 2.0]
        }))
}

/// A y tick for people: `7,500`, `2.5`, `0`, with a real minus sign.
fn tick_label(v: f64) -> String {
    if v.abs() >= 1000.0 || v.fract() == 0.0 {
        crate::report::format::thousands_f64(v)
    } else {
        let text = format!("{v:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        text.replace('-', "−")
    }
}

/// The 1-2-5 step at or above `x` (0.3 → 0.5, 1,700 → 2,000), so a y axis gets about
/// four labelled lines at round values whatever the plot's height.
fn nice_step(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    let f = x / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// An x-axis formatter naming whole-number positions by `labels` (quarters, channels).
fn label_at_index(labels: Vec<String>) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        let idx = mark.value.round();
        if (mark.value - idx).abs() < 1e-6 && idx >= 0.0 {
            labels.get(idx as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

/// A line chart over quarters (x labels are the quarter names).
pub fn quarters_chart(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    y_label: &str,
    quarters: &[String],
    series: Vec<Series>,
    references: Vec<Reference>,
    height: f32,
) {
    ui.label(RichText::new(title).size(theme::SIZE_BODY).strong());
    // Short quarter labels ("11Q3") so eight fit under a third of the screen.
    let labels: Vec<String> = quarters.iter().map(|q| q.get(2..).unwrap_or(q).to_string()).collect();
    let last = quarters.len().saturating_sub(1) as f64;
    fixed_plot(id, height, y_label)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .x_axis_label("Quarter")
        .include_x(-0.2)
        .include_x(last + 0.2)
        .x_axis_formatter(label_at_index(labels))
        .show(ui, |plot| {
            for s in series {
                let points: PlotPoints = s.values.iter().enumerate().map(|(i, v)| [i as f64, *v]).collect();
                plot.line(Line::new(s.name, points).color(s.color).width(2.0));
            }
            for r in references {
                plot.hline(
                    HLine::new(r.name, r.value)
                        .color(REFERENCE)
                        .style(LineStyle::dashed_loose()),
                );
            }
        });
}

/// One group of bars per category (e.g. a channel), one bar per measure.
pub fn grouped_bars(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    y_label: &str,
    categories: &[String],
    measures: Vec<(String, Color32, Vec<f64>)>,
    height: f32,
) {
    ui.label(RichText::new(title).size(theme::SIZE_BODY).strong());
    let n = measures.len().max(1) as f64;
    let width = 0.8 / n;
    let labels = categories.to_vec();
    // Headroom above the tallest bar for the legend, and every category named even
    // when the plot is narrow (egui_plot hides x labels closer than 60 points).
    let tallest = measures
        .iter()
        .flat_map(|(_, _, values)| values.iter().copied())
        .fold(0.0f64, f64::max);
    fixed_plot(id, height, y_label)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .include_y(tallest * 1.6)
        .custom_x_axes(vec![
            AxisHints::new_x()
                .formatter(label_at_index(labels))
                .label_spacing(20.0..=30.0),
        ])
        .show(ui, |plot| {
            for (k, (name, color, values)) in measures.into_iter().enumerate() {
                let offset = (k as f64 - (n - 1.0) / 2.0) * width;
                let bars = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Bar::new(i as f64 + offset, *v).width(width * 0.9))
                    .collect();
                plot.bar_chart(BarChart::new(name, bars).color(color));
            }
        });
}

/// A bar per driver, in the order given (named in the list beside the chart): green
/// when it raised profit, red when it cut it.
pub fn drivers_chart(ui: &mut egui::Ui, id: &str, title: &str, y_label: &str, drivers: &[(String, f64)], height: f32) {
    ui.label(RichText::new(title).size(theme::SIZE_BODY).strong());
    fixed_plot(id, height, y_label)
        .show_axes([false, true])
        .show(ui, |plot| {
            let bars = drivers
                .iter()
                .enumerate()
                .map(|(i, (_, v))| {
                    let color = if *v >= 0.0 { theme::BETTER } else { theme::WORSE };
                    Bar::new(i as f64, *v)
                        .width(0.6)
                        .fill(color.linear_multiply(0.5))
                        .stroke(egui::Stroke::new(1.0, color))
                })
                .collect();
            plot.bar_chart(BarChart::new("change", bars).color(MUTED));
        });
}

#[cfg(test)]
mod tests {
    use super::nice_step;

    #[test]
    fn y_steps_are_round() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(17.6), 20.0);
        assert_eq!(nice_step(1700.0), 2000.0);
        assert_eq!(nice_step(4.0), 5.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(super::tick_label(7500.0), "7,500");
        assert_eq!(super::tick_label(2.5), "2.5");
        assert_eq!(super::tick_label(-0.25), "−0.25");
    }
}
