//! Charts (egui_plot): one idea per chart, a title that states it, axes labelled with
//! units, quarters on the x axis, amounts from zero, dashed labelled reference lines,
//! and the theme's colours for companies and channels.

use super::theme::{self, MUTED, REFERENCE};
use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, HLine, Legend, Line, LineStyle, Plot, PlotPoints, uniform_grid_spacer};

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
    fixed_plot(id, height, y_label)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .x_axis_formatter(label_at_index(labels))
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
