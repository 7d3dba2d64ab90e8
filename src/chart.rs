//! Charts as files (PNG or SVG, by the file's extension) for the command line and the
//! debrief slides: a sweep's line with its P10–P90 band, a two-parameter heatmap, and a
//! sensitivity tornado. Drawn with plotters in the game's font (Ubuntu Light, in
//! `assets/fonts`), each with a title, labelled axes and units, on the game's dark
//! palette. Drawing happens in memory; only [`Chart::save`] touches the disk.

use crate::analysis::sensitivity::Tornado;
use crate::analysis::sweep::{GoalSeek, SweepResult};
use crate::report::format::metric_value;
use crate::report::slides::{Slide, SlideChart, Unit};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::path::Path;
use std::sync::Once;

/// Chart size in pixels (16:10, readable on a slide).
pub const SIZE: (u32, u32) = (1280, 800);

const BACKGROUND: RGBColor = RGBColor(27, 29, 34);
const TEXT: RGBColor = RGBColor(225, 228, 233);
const GRID: RGBColor = RGBColor(60, 64, 72);
const ACCENT: RGBColor = RGBColor(79, 190, 207);
const WORSE: RGBColor = RGBColor(224, 108, 96);
const BETTER: RGBColor = RGBColor(110, 190, 120);

static FONT: Once = Once::new();

fn register() {
    FONT.call_once(|| {
        // The bytes are the font shipped in the repository; a failure here would be a
        // broken build, and the charts then fall back to no text rather than panic.
        let _ = register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../assets/fonts/Ubuntu-Light.ttf"),
        );
    });
}

/// What went wrong drawing or writing a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: the chart file must end in .png or .svg")]
    Extension { path: String },
    #[error("cannot draw the chart: {0}")]
    Draw(String),
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

type Drawing<'a, B> = DrawingArea<B, plotters::coord::Shift>;

/// A chart that can be drawn on any plotters backend.
pub enum Chart<'a> {
    Sweep(&'a SweepResult),
    Tornado(&'a Tornado, usize),
    /// Goal seek: the values tried, the target and the value found.
    GoalSeek(&'a GoalSeek),
}

impl Chart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Drawing<'_, DB>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&BACKGROUND).map_err(draw_err)?;
        match self {
            Chart::Sweep(r) if r.params.len() == 2 => heatmap(root, r),
            Chart::Sweep(r) => sweep_line(root, r),
            Chart::Tornado(t, top) => tornado(root, t, *top),
            Chart::GoalSeek(g) => goal_seek(root, g),
        }
    }

    /// Writes the chart to `path` (`.png` or `.svg`).
    pub fn save(&self, path: &Path) -> Result<(), ChartError> {
        register();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let io = |e: std::io::Error| ChartError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        match ext.as_str() {
            "svg" => {
                let mut text = String::new();
                {
                    let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
                    self.draw(&root)?;
                    root.present().map_err(draw_err)?;
                }
                std::fs::write(path, text).map_err(io)
            }
            "png" => {
                let png = self.to_png()?;
                std::fs::write(path, png).map_err(io)
            }
            _ => Err(ChartError::Extension {
                path: path.display().to_string(),
            }),
        }
    }

    /// The chart as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, ChartError> {
        encode_png(&self.to_rgb()?, SIZE)
    }

    /// The chart as RGB pixels, [`SIZE`] pixels, row by row (for the game's screens).
    pub fn to_rgb(&self) -> Result<Vec<u8>, ChartError> {
        register();
        let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(draw_err)?;
        }
        Ok(buffer)
    }
}

/// RGB pixels as PNG bytes.
pub fn encode_png(rgb: &[u8], size: (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size.0, size.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(draw_err)?;
        writer.write_image_data(rgb).map_err(draw_err)?;
    }
    Ok(out)
}

fn title_style(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&TEXT)
}

fn label_style(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&TEXT)
}

/// A finite range around `values`, from zero when they are all of one sign.
fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    lo = lo.min(0.0);
    hi = hi.max(0.0);
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    // Headroom above the data for the legend in the upper left.
    let pad = 0.08 * (hi - lo);
    (if lo < 0.0 { lo - pad } else { lo }, hi + 2.5 * pad)
}

fn sweep_line<DB: DrawingBackend>(root: &Drawing<'_, DB>, r: &SweepResult) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let metric = r.metrics.first().cloned().unwrap_or_default();
    let xs: Vec<f64> = r.points.iter().map(|p| p.values[0]).collect();
    let (x0, x1) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last()
            .copied()
            .unwrap_or(1.0)
            .max(xs.first().copied().unwrap_or(0.0) + 1e-9),
    );
    let (y0, y1) = y_range(
        r.points
            .iter()
            .flat_map(|p| [p.metrics[0].p10, p.metrics[0].p90, p.metrics[0].mean]),
    );
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{metric} against {} ({} seeds a point)", r.params[0], r.runs_per_point),
            title_style(30),
        )
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(130)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    let m = metric.clone();
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(20))
        .x_desc(param_axis(&r.params[0]))
        .y_desc(format!("{metric} ({})", unit_of(&metric)))
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&move |v| metric_value(&m, *v))
        .draw()
        .map_err(draw_err)?;
    let band: Vec<(f64, f64)> = r
        .points
        .iter()
        .map(|p| (p.values[0], p.metrics[0].p90))
        .chain(r.points.iter().rev().map(|p| (p.values[0], p.metrics[0].p10)))
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, ACCENT.mix(0.25).filled())))
        .map_err(draw_err)?
        .label("P10–P90 over the seeds")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], ACCENT.mix(0.25).filled()));
    chart
        .draw_series(LineSeries::new(
            r.points.iter().map(|p| (p.values[0], p.metrics[0].mean)),
            ACCENT.stroke_width(3),
        ))
        .map_err(draw_err)?
        .label("mean")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], ACCENT.stroke_width(3)));
    chart
        .configure_series_labels()
        .background_style(BACKGROUND.mix(0.9))
        .border_style(GRID)
        .label_font(label_style(20))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

fn heatmap<DB: DrawingBackend>(root: &Drawing<'_, DB>, r: &SweepResult) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let metric = r.metrics.first().cloned().unwrap_or_default();
    let mut xs: Vec<f64> = r.points.iter().map(|p| p.values[0]).collect();
    let mut ys: Vec<f64> = r.points.iter().map(|p| p.values[1]).collect();
    xs.dedup();
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    let means: Vec<f64> = r
        .points
        .iter()
        .map(|p| p.metrics[0].mean)
        .filter(|v| v.is_finite())
        .collect();
    let lo = means.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (plot, legend) = root.split_horizontally(1080);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{metric}: mean over {} seeds a cell", r.runs_per_point),
            title_style(30),
        )
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(110)
        // plotters' integer ranges include their end: 0..len−1 gives len segments.
        .build_cartesian_2d(
            (0..xs.len().saturating_sub(1)).into_segmented(),
            (0..ys.len().saturating_sub(1)).into_segmented(),
        )
        .map_err(draw_err)?;
    let (xl, yl) = (xs.clone(), ys.clone());
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(TEXT)
        .label_style(label_style(18))
        .x_desc(param_axis(&r.params[0]))
        .y_desc(param_axis(&r.params[1]))
        .x_labels(xs.len().min(12))
        .y_labels(ys.len().min(12))
        .x_label_formatter(&move |v| segment(v).and_then(|i| xl.get(i)).map_or(String::new(), |v| short(*v)))
        .y_label_formatter(&move |v| segment(v).and_then(|i| yl.get(i)).map_or(String::new(), |v| short(*v)))
        .draw()
        .map_err(draw_err)?;
    let colour = |v: f64| -> RGBColor {
        let t = if hi > lo {
            ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let mix = |a: u8, b: u8| (f64::from(a) + t * (f64::from(b) - f64::from(a))).round() as u8;
        RGBColor(mix(WORSE.0, BETTER.0), mix(WORSE.1, BETTER.1), mix(WORSE.2, BETTER.2))
    };
    chart
        .draw_series(r.points.iter().filter_map(|p| {
            let i = xs.iter().position(|x| *x == p.values[0])?;
            let j = ys.iter().position(|y| *y == p.values[1])?;
            let v = p.metrics[0].mean;
            Some(Rectangle::new(
                [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ],
                if v.is_finite() {
                    colour(v).filled()
                } else {
                    GRID.filled()
                },
            ))
        }))
        .map_err(draw_err)?;
    // Colour scale: low (red) to high (green), with the metric's values.
    let steps = 10;
    let top = 140;
    let height = 480;
    for k in 0..steps {
        let v = hi - (hi - lo) * k as f64 / (steps - 1) as f64;
        let y = top + k * height / steps;
        legend
            .draw(&Rectangle::new([(20, y), (60, y + height / steps)], colour(v).filled()))
            .map_err(draw_err)?;
    }
    legend
        .draw(&Text::new(metric_value(&metric, hi), (66, top), label_style(16)))
        .map_err(draw_err)?;
    legend
        .draw(&Text::new(
            metric_value(&metric, lo),
            (66, top + height - 18),
            label_style(16),
        ))
        .map_err(draw_err)?;
    legend
        .draw(&Text::new(unit_of(&metric), (20, top - 36), label_style(18)))
        .map_err(draw_err)?;
    Ok(())
}

fn tornado<DB: DrawingBackend>(root: &Drawing<'_, DB>, t: &Tornado, top: usize) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let bars: Vec<_> = t.bars.iter().take(top.max(1)).collect();
    let (x0, x1) = y_range(bars.iter().flat_map(|b| [b.low - t.base, b.high - t.base]));
    let n = bars.len();
    let names: Vec<String> = bars.iter().map(|b| b.param.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "What moves {} most: each input ±{:.0}% alone",
                t.metric,
                t.spread * 100.0
            ),
            title_style(30),
        )
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(380)
        .build_cartesian_2d(x0..x1, (0..n.saturating_sub(1)).into_segmented())
        .map_err(draw_err)?;
    let m = t.metric.clone();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(18))
        .x_desc(format!(
            "change in {} from the base {} ({}); red: input {:.0}% lower, green: {:.0}% higher",
            t.metric,
            metric_value(&t.metric, t.base),
            unit_of(&t.metric),
            t.spread * 100.0,
            t.spread * 100.0
        ))
        .y_labels(n)
        .y_label_formatter(&move |v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                names.get(n.saturating_sub(1 + *i)).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .x_label_formatter(&move |v| metric_value(&m, *v))
        .draw()
        .map_err(draw_err)?;
    for (k, b) in bars.iter().enumerate() {
        let row = n - 1 - k;
        for (delta, colour) in [(b.low - t.base, WORSE), (b.high - t.base, BETTER)] {
            let (a, z) = if delta < 0.0 { (delta, 0.0) } else { (0.0, delta) };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, SegmentValue::Exact(row)), (z, SegmentValue::Exact(row + 1))],
                    colour.mix(0.85).filled(),
                )))
                .map_err(draw_err)?;
        }
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            [(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
            TEXT.stroke_width(2),
        )))
        .map_err(draw_err)?;
    Ok(())
}

/// The index a segment label stands for.
fn segment(v: &SegmentValue<usize>) -> Option<usize> {
    match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => Some(*i),
        SegmentValue::Last => None,
    }
}

/// A grid value for an axis: `1,999`, `0.15`.
fn short(v: f64) -> String {
    if v.abs() >= 1000.0 {
        crate::report::format::thousands_f64(v)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A varied parameter with its unit, for an axis title: `q1.flagship.price (¥)`.
/// Decisions have known units; a model parameter is named as it is written.
fn param_axis(name: &str) -> String {
    let decision = name.starts_with("all.") || name.starts_with('q');
    let field = name.rsplit('.').next().unwrap_or("");
    let unit = match field {
        _ if !decision => return name.to_string(),
        "price" | "mitigation" | "community" | "paid_traffic" | "rnd" => "¥",
        "production" => "units",
        "stores" => "stores",
        _ => "share, 0–1",
    };
    format!("{name} ({unit})")
}

fn goal_seek<DB: DrawingBackend>(root: &Drawing<'_, DB>, g: &GoalSeek) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let metric = g.metric.clone();
    let xs: Vec<f64> = g.samples.iter().map(|s| s.0).collect();
    let x0 = xs.first().copied().unwrap_or(0.0);
    let x1 = xs.last().copied().unwrap_or(1.0).max(x0 + 1e-9);
    let (y0, y1) = y_range(g.samples.iter().map(|s| s.1).chain([g.target]));
    let mut chart = ChartBuilder::on(root)
        .caption(format!("Goal seek: {metric} against {}", g.param), title_style(30))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(130)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    let m = metric.clone();
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(20))
        .x_desc(param_axis(&g.param))
        .y_desc(format!("{metric}, mean over the seeds ({})", unit_of(&metric)))
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&move |v| metric_value(&m, *v))
        .draw()
        .map_err(draw_err)?;
    chart
        .draw_series(LineSeries::new(g.samples.iter().copied(), ACCENT.stroke_width(3)))
        .map_err(draw_err)?
        .label("values tried")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], ACCENT.stroke_width(3)));
    chart
        .draw_series(g.samples.iter().map(|&p| Circle::new(p, 4, ACCENT.filled())))
        .map_err(draw_err)?;
    chart
        .draw_series(LineSeries::new(
            [(x0, g.target), (x1, g.target)],
            BETTER.stroke_width(2),
        ))
        .map_err(draw_err)?
        .label(format!("target {}", metric_value(&metric, g.target)))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BETTER.stroke_width(2)));
    let (x, label, colour) = match g.found {
        Some(x) => (x, format!("found {}", short(x)), TEXT),
        None => (g.closest, format!("closest {} (out of reach)", short(g.closest)), WORSE),
    };
    chart
        .draw_series(LineSeries::new([(x, y0), (x, y1)], colour.stroke_width(2)))
        .map_err(draw_err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(BACKGROUND.mix(0.9))
        .border_style(GRID)
        .label_font(label_style(20))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// The unit a metric is shown in, for an axis title.
fn unit_of(metric: &str) -> String {
    let probe = metric_value(metric, 1.0);
    if probe.starts_with('¥') {
        "¥".into()
    } else if probe.ends_with('%') {
        "%".into()
    } else if probe.ends_with('×') {
        "× a year".into()
    } else if metric.starts_with("trust") {
        "trust (0–1)".into()
    } else if metric == "score" {
        "points of 100".into()
    } else {
        "units".into()
    }
}

/// Slide size in pixels (16:9).
pub const SLIDE: (u32, u32) = (1600, 900);

/// One debrief slide as RGB pixels: kicker, headline, context, then its chart.
pub fn slide_rgb(deck_title: &str, number: usize, slide: &Slide) -> Result<Vec<u8>, ChartError> {
    register();
    let mut buffer = vec![0u8; (SLIDE.0 * SLIDE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SLIDE).into_drawing_area();
        root.fill(&BACKGROUND).map_err(draw_err)?;
        let (head, body) = root.split_vertically(250);
        head.draw(&Text::new(
            format!("{number} · {}", slide.kicker.to_uppercase()),
            (60, 40),
            ("sans-serif", 28).into_font().color(&ACCENT),
        ))
        .map_err(draw_err)?;
        head.draw(&Text::new(deck_title.to_string(), (1000, 40), label_style(22)))
            .map_err(draw_err)?;
        for (k, line) in wrap(&slide.headline, 62).iter().take(2).enumerate() {
            head.draw(&Text::new(line.clone(), (60, 90 + 52 * k as i32), title_style(44)))
                .map_err(draw_err)?;
        }
        for (k, line) in wrap(&slide.context, 140).iter().take(2).enumerate() {
            head.draw(&Text::new(line.clone(), (60, 196 + 26 * k as i32), label_style(21)))
                .map_err(draw_err)?;
        }
        match &slide.chart {
            SlideChart::Lines {
                title,
                metric,
                quarters,
                series,
                target,
            } => slide_lines(&body, title, metric, quarters, series, *target)?,
            SlideChart::Bars {
                title,
                metric,
                labels,
                values,
            } => slide_bars(&body, title, metric, labels, values)?,
            SlideChart::Sweep {
                title,
                x_label,
                x_unit,
                metric,
                xs,
                ys,
                mean,
                chosen,
                before,
            } => slide_sweep(
                &body,
                SweepView {
                    title,
                    x_label,
                    x_unit,
                    metric,
                    xs,
                    ys,
                    mean: mean.as_ref(),
                    chosen: *chosen,
                    before: *before,
                },
            )?,
        }
        root.present().map_err(draw_err)?;
    }
    Ok(buffer)
}

/// Words wrapped to lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

const SERIES: [RGBColor; 8] = [
    ACCENT,
    RGBColor(230, 170, 90),
    RGBColor(170, 140, 220),
    RGBColor(110, 190, 120),
    RGBColor(224, 108, 96),
    RGBColor(230, 220, 120),
    RGBColor(120, 160, 240),
    RGBColor(200, 200, 200),
];

/// A metric over the quarters as SVG text (the browser page's charts): the same
/// drawing as the debrief's line slides, `size` pixels, titled, axes with units.
pub fn lines_svg(
    title: &str,
    metric: &str,
    quarters: &[String],
    series: &[(String, Vec<f64>)],
    size: (u32, u32),
) -> Result<String, ChartError> {
    register();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&BACKGROUND).map_err(draw_err)?;
        slide_lines(&root, title, metric, quarters, series, None)?;
        root.present().map_err(draw_err)?;
    }
    Ok(text)
}

fn slide_lines<DB: DrawingBackend>(
    area: &Drawing<'_, DB>,
    title: &str,
    metric: &str,
    quarters: &[String],
    series: &[(String, Vec<f64>)],
    target: Option<f64>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let n = quarters.len().max(1);
    let (y0, y1) = y_range(series.iter().flat_map(|(_, v)| v.iter().copied()).chain(target));
    let mut chart = ChartBuilder::on(area)
        .caption(title, label_style(24))
        .margin(30)
        .x_label_area_size(60)
        .y_label_area_size(140)
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), y0..y1)
        .map_err(draw_err)?;
    let q = quarters.to_vec();
    let m = metric.to_string();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(18))
        .x_desc("quarter")
        .y_desc(format!("{metric} ({})", unit_of(metric)))
        .x_labels(n)
        .x_label_formatter(&move |v| segment(v).and_then(|i| q.get(i)).cloned().unwrap_or_default())
        .y_label_formatter(&move |v| metric_value(&m, *v))
        .draw()
        .map_err(draw_err)?;
    for (k, (name, values)) in series.iter().enumerate() {
        let colour = SERIES[k % SERIES.len()];
        chart
            .draw_series(LineSeries::new(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, v)| (SegmentValue::CenterOf(i), *v)),
                colour.stroke_width(4),
            ))
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], colour.stroke_width(4)));
        // A dot on each quarter, so a one-quarter series still shows.
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, v)| Circle::new((SegmentValue::CenterOf(i), *v), 4, colour.filled())),
            )
            .map_err(draw_err)?;
    }
    if let Some(t) = target {
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(SegmentValue::Exact(0), t), (SegmentValue::Exact(n), t)],
                TEXT.mix(0.7).stroke_width(2),
            )))
            .map_err(draw_err)?
            .label(format!("target {}", metric_value(metric, t)))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], TEXT.mix(0.7).stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(BACKGROUND.mix(0.9))
        .border_style(GRID)
        .label_font(label_style(20))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

fn slide_bars<DB: DrawingBackend>(
    area: &Drawing<'_, DB>,
    title: &str,
    metric: &str,
    labels: &[String],
    values: &[f64],
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let n = labels.len().max(1);
    let (x0, x1) = y_range(values.iter().copied());
    let names = labels.to_vec();
    let mut chart = ChartBuilder::on(area)
        .caption(title, label_style(24))
        .margin(30)
        .x_label_area_size(60)
        .y_label_area_size(560)
        .build_cartesian_2d(x0..x1, (0..n.saturating_sub(1)).into_segmented())
        .map_err(draw_err)?;
    let m = metric.to_string();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(18))
        .x_desc(format!("net profit added ({})", unit_of(metric)))
        .y_labels(n)
        .y_label_formatter(&move |v| {
            segment(v)
                .and_then(|i| names.get(n.saturating_sub(1 + i)))
                .map(|l| l.chars().take(62).collect())
                .unwrap_or_default()
        })
        .x_label_formatter(&move |v| metric_value(&m, *v))
        .draw()
        .map_err(draw_err)?;
    for (k, v) in values.iter().enumerate() {
        let row = n - 1 - k;
        let (a, z) = if *v < 0.0 { (*v, 0.0) } else { (0.0, *v) };
        let colour = if k == 0 { ACCENT } else { RGBColor(120, 128, 140) };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, SegmentValue::Exact(row)), (z, SegmentValue::Exact(row + 1))],
                if *v < 0.0 { WORSE.filled() } else { colour.filled() },
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The fields of [`SlideChart::Sweep`], borrowed for drawing.
struct SweepView<'a> {
    title: &'a str,
    x_label: &'a str,
    x_unit: &'a Unit,
    metric: &'a str,
    xs: &'a [f64],
    ys: &'a (String, Vec<f64>),
    mean: Option<&'a (String, Vec<f64>)>,
    chosen: f64,
    before: f64,
}

/// A decision swept on the run's seed: the line with a dot at each value, the mean
/// over seeds as a thinner line, and the player's value, the value before the
/// change and (when it scores more) the sweep's best marked and labelled.
fn slide_sweep<DB: DrawingBackend>(area: &Drawing<'_, DB>, v: SweepView<'_>) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (xs, (seed_name, ys)) = (v.xs, v.ys);
    let finite = |i: &usize| ys[*i].is_finite();
    let (x_min, x_max) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let pad = 0.03 * (x_max - x_min).max(1e-9);
    let (x0, x1) = (x_min - pad, x_max + pad);
    let values: Vec<f64> = ys
        .iter()
        .chain(v.mean.iter().flat_map(|(_, m)| m.iter()))
        .copied()
        .filter(|y| y.is_finite())
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| (l.min(*y), h.max(*y)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    // Room above and below the line for the markers' labels.
    let span = (hi - lo).max(1e-9 + 0.02 * hi.abs().max(1.0));
    let (y0, y1) = (lo - 0.22 * span, hi + 0.22 * span);
    let (y0, y1) = if v.metric == "score" {
        (y0.max(0.0), y1.min(100.0).max(y0.max(0.0) + 1.0))
    } else {
        (y0, y1)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(v.title, label_style(24))
        .margin(30)
        .x_label_area_size(60)
        .y_label_area_size(140)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    let m = v.metric.to_string();
    let unit = v.x_unit.clone();
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.4))
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .label_style(label_style(18))
        .x_desc(v.x_label)
        .y_desc(format!("{} ({})", v.metric, unit_of(v.metric)))
        .x_labels(10)
        .x_label_formatter(&move |x| unit.format(*x))
        .y_label_formatter(&move |y| metric_value(&m, *y))
        .draw()
        .map_err(draw_err)?;
    let at = |x: f64| xs.iter().position(|a| a.to_bits() == x.to_bits()).filter(finite);
    // Guides down from the two marked values to the axis.
    for x in [v.before, v.chosen] {
        if let Some(i) = at(x) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(x, y0), (x, ys[i])],
                    TEXT.mix(0.35).stroke_width(1),
                )))
                .map_err(draw_err)?;
        }
    }
    let points: Vec<(f64, f64)> = (0..xs.len()).filter(finite).map(|i| (xs[i], ys[i])).collect();
    chart
        .draw_series(LineSeries::new(points.clone(), ACCENT.stroke_width(4)))
        .map_err(draw_err)?
        .label(seed_name.clone())
        .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], ACCENT.stroke_width(4)));
    chart
        .draw_series(points.into_iter().map(|p| Circle::new(p, 5, ACCENT.filled())))
        .map_err(draw_err)?;
    // The mean over seeds on top, thinner, so it shows even where it matches the run.
    let mean_colour = SERIES[1];
    if let Some((name, means)) = v.mean {
        let points: Vec<(f64, f64)> = xs
            .iter()
            .zip(means)
            .filter(|(_, y)| y.is_finite())
            .map(|(x, y)| (*x, *y))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), mean_colour.stroke_width(2)))
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], mean_colour.stroke_width(2)));
        chart
            .draw_series(points.into_iter().map(|p| Circle::new(p, 3, mean_colour.filled())))
            .map_err(draw_err)?;
    }
    // The markers, each labelled with its value and the metric there. Labels are
    // placed in pixels where they cross no line, marker or other label: the player's
    // first, then the earlier value, then the best (when it scores more than the
    // player's); the legend then takes the emptiest corner.
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let area = Box2 {
        x0: xr.start,
        y0: yr.start,
        x1: xr.end,
        y1: yr.end,
    };
    let mut lines: Vec<((i32, i32), (i32, i32))> = Vec::new();
    for series in std::iter::once(ys).chain(v.mean.map(|(_, m)| m)) {
        let pts: Vec<(i32, i32)> = xs
            .iter()
            .zip(series)
            .filter(|(_, y)| y.is_finite())
            .map(|(x, y)| px(*x, *y))
            .collect();
        lines.extend(pts.windows(2).map(|w| (w[0], w[1])));
    }
    let mut taken: Vec<Box2> = (0..xs.len())
        .filter(finite)
        .map(|i| Box2::around(px(xs[i], ys[i]), 13))
        .collect();
    let label = |name: &str, x: f64, y: f64| format!("{name} {}: {}", v.x_unit.format(x), metric_value(v.metric, y));
    // Above where the neighbours are lower, below where they are higher, else `flat`.
    let prefers_above = |i: usize, flat: bool| -> bool {
        let near: Vec<f64> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|j| *j < xs.len() && ys[*j].is_finite())
            .map(|j| ys[j])
            .collect();
        let lean = near.iter().sum::<f64>() / near.len().max(1) as f64 - ys[i];
        if near.is_empty() || (lean / (y1 - y0)).abs() < 0.03 {
            flat
        } else {
            lean < 0.0
        }
    };
    let chosen = at(v.chosen);
    let before = at(v.before);
    let best = (0..xs.len())
        .filter(finite)
        .max_by(|a, b| ys[*a].total_cmp(&ys[*b]).then(b.cmp(a)))
        .filter(|b| chosen.is_some_and(|c| ys[*b] > ys[c] + 0.05));
    // Places first (they need the chart's pixel mapping), then drawing.
    let chosen_label = chosen.map(|i| {
        let text = label("yours", v.chosen, ys[i]);
        let offset = place_label(
            px(v.chosen, ys[i]),
            &text,
            prefers_above(i, true),
            &lines,
            &mut taken,
            area,
        );
        (i, text, offset)
    });
    let before_label = before.map(|i| {
        let text = label("before", v.before, ys[i]);
        let offset = place_label(
            px(v.before, ys[i]),
            &text,
            prefers_above(i, false),
            &lines,
            &mut taken,
            area,
        );
        (i, text, offset)
    });
    // At the earlier value the best shares that marker's label.
    let best_label = best.map(|b| {
        if Some(b) == before {
            (b, String::new(), (0, 0))
        } else {
            let text = label("best", xs[b], ys[b]);
            let offset = place_label(
                px(xs[b], ys[b]),
                &text,
                prefers_above(b, true),
                &lines,
                &mut taken,
                area,
            );
            (b, text, offset)
        }
    });
    let font = label_style(20);
    if let Some((i, text, offset)) = chosen_label {
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((v.chosen, ys[i]))
                    + Circle::new((0, 0), 11, TEXT.filled())
                    + Text::new(text, offset, font.clone()),
            ))
            .map_err(draw_err)?
            .label("your choice")
            .legend(|(x, y)| Circle::new((x + 12, y), 7, TEXT.filled()));
    }
    if let Some((i, text, offset)) = before_label {
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((v.before, ys[i]))
                    + Circle::new((0, 0), 11, TEXT.stroke_width(3))
                    + Text::new(text, offset, font.clone()),
            ))
            .map_err(draw_err)?
            .label("before the change")
            .legend(|(x, y)| Circle::new((x + 12, y), 7, TEXT.stroke_width(2)));
    }
    if let Some((b, text, offset)) = best_label {
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((xs[b], ys[b]))
                    + TriangleMarker::new((0, -2), 11, BETTER.filled())
                    + Text::new(text, offset, font.clone().color(&BETTER)),
            ))
            .map_err(draw_err)?
            .label("the sweep's best")
            .legend(|(x, y)| TriangleMarker::new((x + 12, y), 8, BETTER.filled()));
    }
    // The legend: about 240 × 24 pixels an entry, in the corner it covers least.
    let entries = 1 + usize::from(v.mean.is_some()) + [chosen, before, best].iter().flatten().count();
    let (w, h) = (250, 24 * entries as i32 + 16);
    let corners = [
        (SeriesLabelPosition::UpperRight, area.x1 - w, area.y0),
        (SeriesLabelPosition::UpperLeft, area.x0, area.y0),
        (SeriesLabelPosition::LowerRight, area.x1 - w, area.y1 - h),
        (SeriesLabelPosition::LowerLeft, area.x0, area.y1 - h),
    ];
    let corner = corners
        .into_iter()
        .map(|(pos, x, y)| {
            let b = Box2 {
                x0: x,
                y0: y,
                x1: x + w,
                y1: y + h,
            };
            let hits = lines.iter().filter(|(a, c)| b.crossed_by(*a, *c)).count()
                + taken.iter().filter(|t| t.overlaps(&b)).count();
            (pos, hits)
        })
        .min_by_key(|(_, hits)| *hits)
        .map_or(SeriesLabelPosition::UpperRight, |(pos, _)| pos);
    chart
        .configure_series_labels()
        .background_style(BACKGROUND.mix(0.9))
        .border_style(GRID)
        .label_font(label_style(20))
        .position(corner)
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// A box in pixels (`x0 < x1`, `y0 < y1`, y down).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Box2 {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Box2 {
    fn around((x, y): (i32, i32), r: i32) -> Box2 {
        Box2 {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        }
    }

    fn contains(&self, (x, y): (i32, i32)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }

    fn overlaps(&self, o: &Box2) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &Box2) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// Whether the segment `a`–`b` passes through the box.
    fn crossed_by(&self, a: (i32, i32), b: (i32, i32)) -> bool {
        if self.contains(a) || self.contains(b) {
            return true;
        }
        let side = |p: (i32, i32), q: (i32, i32), r: (i32, i32)| {
            i64::from(q.0 - p.0) * i64::from(r.1 - p.1) - i64::from(q.1 - p.1) * i64::from(r.0 - p.0)
        };
        let cross = |p: (i32, i32), q: (i32, i32)| {
            let (d1, d2) = (side(a, b, p), side(a, b, q));
            let (d3, d4) = (side(p, q, a), side(p, q, b));
            d1.signum() * d2.signum() <= 0 && d3.signum() * d4.signum() <= 0
        };
        let (tl, tr, bl, br) = (
            (self.x0, self.y0),
            (self.x1, self.y0),
            (self.x0, self.y1),
            (self.x1, self.y1),
        );
        cross(tl, tr) || cross(tr, br) || cross(br, bl) || cross(bl, tl)
    }
}

/// Where a marker's label goes, as an offset from the marker at `at` (pixels): the
/// first box (above or below as `above` prefers, then the other side; centred on the
/// marker, then to its right, then to its left; then further out) inside `area` that
/// crosses none of `lines` and none of `taken`, which it then joins. Text is about
/// 9.5 pixels a character and 22 high at the slides' label size.
fn place_label(
    at: (i32, i32),
    text: &str,
    above: bool,
    lines: &[((i32, i32), (i32, i32))],
    taken: &mut Vec<Box2>,
    area: Box2,
) -> (i32, i32) {
    let w = (text.chars().count() as f64 * 9.5).ceil() as i32;
    let h = 22;
    let mut candidates = Vec::new();
    for gap in [18, 44, 72] {
        for up in [above, !above] {
            let dy = if up { -gap - h } else { gap };
            for dx in [-w / 2, 18, -w - 18] {
                candidates.push((dx, dy));
            }
        }
    }
    let boxed = |(dx, dy): (i32, i32)| Box2 {
        x0: at.0 + dx,
        y0: at.1 + dy,
        x1: at.0 + dx + w,
        y1: at.1 + dy + h,
    };
    let free = |b: &Box2| {
        b.inside(&area) && !lines.iter().any(|(p, q)| b.crossed_by(*p, *q)) && !taken.iter().any(|t| t.overlaps(b))
    };
    let chosen = candidates
        .iter()
        .copied()
        .find(|c| free(&boxed(*c)))
        .or_else(|| candidates.iter().copied().find(|c| boxed(*c).inside(&area)))
        .unwrap_or(candidates[0]);
    taken.push(boxed(chosen));
    chosen
}

/// The slides (RGB pixels of [`SLIDE`] size) as a PDF, one page each, 16:9.
pub fn slides_pdf(pages: &[Vec<u8>]) -> Vec<u8> {
    use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
    let (w, h) = (SLIDE.0 as f32 * 0.6, SLIDE.1 as f32 * 0.6);
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let ids: Vec<(Ref, Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| (Ref::new(10 + 3 * i), Ref::new(11 + 3 * i), Ref::new(12 + 3 * i)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _, _)| *page))
        .count(pages.len() as i32);
    for ((page_id, image_id, content_id), rgb) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().x_objects().pair(Name(b"Slide"), *image_id);
        page.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(rgb, 6);
        let mut image = pdf.image_xobject(*image_id, &compressed);
        image.filter(Filter::FlateDecode);
        image.width(SLIDE.0 as i32);
        image.height(SLIDE.1 as i32);
        image.color_space().device_rgb();
        image.bits_per_component(8);
        image.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(Name(b"Slide"));
        content.restore_state();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

/// Writes a deck's files into `dir` (created if missing): `slide-1.png` … `slide-3.png`,
/// `debrief.pdf` and `debrief.md`. Returns the paths written.
pub fn write_debrief(deck: &crate::report::slides::Deck, dir: &Path) -> Result<Vec<std::path::PathBuf>, ChartError> {
    let io = |path: &Path, e: std::io::Error| ChartError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let write = |name: &str, bytes: &[u8]| -> Result<std::path::PathBuf, ChartError> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        Ok(path)
    };
    let mut pages = Vec::new();
    let mut written = Vec::new();
    for (i, slide) in deck.slides.iter().enumerate() {
        let rgb = slide_rgb(&deck.title, i + 1, slide)?;
        written.push(write(&format!("slide-{}.png", i + 1), &encode_png(&rgb, SLIDE)?)?);
        pages.push(rgb);
    }
    written.push(write("debrief.pdf", &slides_pdf(&pages))?);
    written.push(write("debrief.md", deck.to_markdown().as_bytes())?);
    Ok(written)
}
