//! Analysis: the presentation-round tools on the run's own plan. Pick a decision or a
//! market parameter and a metric; run a sweep (a line with its P10–P90 band, or a
//! heatmap with a second parameter), goal seek, or a tornado of every lever. The work
//! runs off the UI thread (see `game::analysis`) with a progress bar and Cancel; a
//! value found for one of this quarter's decisions can be applied to the draft.
//! Reached from the decision screen and the debrief.

use super::{Screen, ScreenUi};
use crate::analysis::address::all_addresses;
use crate::game::actions::{Notice, UiAction};
use crate::game::analysis::{AnalysisView, Outcome, Request, Tool, deciding, param_label, param_value};
use crate::game::session::ActiveSession;
use crate::game::theme::{self, ACCENT, MUTED, WORSE};
use crate::game::widgets::{card, notice_banner, primary_button, root_ui};
use crate::report::format::{metric_value, thousands_f64};
use crate::save::session::Session;
use crate::sim::metric::{Aggregate, MetricSpec};
use crate::sim::params::Comparison;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        analysis_ui.in_set(ScreenUi).run_if(in_state(Screen::Analysis)),
    );
}

/// Metrics offered besides the scenario's own objectives.
const METRICS: [&str; 11] = [
    "score",
    "net_profit@sum",
    "revenue_hardware@sum",
    "units_sold@sum",
    "cash@min",
    "cash@last",
    "trust@last",
    "roi@mean",
    "turnover@mean",
    "gross_margin@mean",
    "active_users@last",
];

/// The parameters the player can pick, grouped: this quarter's decisions, decisions
/// in every quarter, market parameters.
fn parameter_groups(s: &Session) -> Vec<(&'static str, Vec<String>)> {
    let all = all_addresses(&s.scenario);
    let every: Vec<String> = all.iter().filter(|a| a.starts_with("all.")).cloned().collect();
    let market: Vec<String> = all.iter().filter(|a| !a.starts_with("all.")).cloned().collect();
    let mut groups = Vec::new();
    if let Some(q) = deciding(s) {
        let now = every
            .iter()
            .map(|a| format!("q{}.{}", q + 1, &a["all.".len()..]))
            .collect();
        groups.push(("This quarter's decisions (held after)", now));
    }
    groups.push(("Decisions in every quarter", every));
    groups.push(("Market and model parameters", market));
    groups
}

/// A metric in words: `net profit, total over the run`.
fn metric_label(metric: &str) -> String {
    if metric == "score" {
        return "score (points of 100)".into();
    }
    let Ok(m) = MetricSpec::parse(metric) else {
        return metric.to_string();
    };
    let how = match m.aggregate {
        Aggregate::Sum => "total over the run".to_string(),
        Aggregate::Mean => "quarterly average".to_string(),
        Aggregate::Min => "lowest quarter".to_string(),
        Aggregate::Max => "highest quarter".to_string(),
        Aggregate::Last => "at the end".to_string(),
        Aggregate::At(q) => format!("in {q}"),
    };
    format!("{}, {how}", m.field.replace('_', " ").replace("hw ", "hardware "))
}

/// Whether more of the metric is better (an objective's direction, else more).
fn higher_is_better(s: &Session, metric: &str) -> bool {
    s.scenario
        .objectives
        .iter()
        .find(|o| o.metric.to_string() == metric)
        .is_none_or(|o| !matches!(o.comparison, Comparison::AtMost))
}

/// The form's opening values for this run and quarter: this quarter's price of the
/// first product, ±25%, against net profit over the run; goal seek's target is an
/// objective's target for that metric, else break-even (¥0).
fn default_request(s: &Session) -> Request {
    let metric = "net_profit@sum".to_string();
    let sku = s.draft.skus.keys().next().cloned().unwrap_or_default();
    let param = match deciding(s) {
        Some(q) => format!("q{}.{sku}.price", q + 1),
        None => format!("all.{sku}.price"),
    };
    let target = s
        .scenario
        .objectives
        .iter()
        .find(|o| o.metric.to_string() == metric)
        .map_or(0.0, |o| o.target);
    let mut r = Request {
        param,
        metric,
        target,
        ..Request::default()
    };
    let param = r.param.clone();
    set_default_range(s, &param, &mut r.from, &mut r.to);
    r
}

/// ±25% around the parameter's value in the plan (0 to 1 when it is 0).
fn set_default_range(s: &Session, name: &str, from: &mut f64, to: &mut f64) {
    let plan = crate::game::analysis::plan_of(s);
    let now = crate::analysis::address::Address::parse(name, &s.scenario)
        .and_then(|a| a.current(&s.scenario, &plan))
        .unwrap_or(0.0);
    if now == 0.0 {
        (*from, *to) = (0.0, 1.0);
    } else {
        let (a, b) = (now * 0.75, now * 1.25);
        (*from, *to) = (a.min(b), a.max(b));
    }
}

fn combo(ui: &mut egui::Ui, id: &str, s: &Session, value: &mut String, groups: &[(&str, Vec<String>)]) -> bool {
    let before = value.clone();
    egui::ComboBox::from_id_salt(id)
        .width(ui.available_width() - 8.0)
        .height(420.0)
        .selected_text(param_label(s, value))
        .show_ui(ui, |ui| {
            for (title, names) in groups {
                ui.label(RichText::new(*title).color(ACCENT).strong());
                for name in names {
                    ui.selectable_value(value, name.clone(), param_label(s, name))
                        .on_hover_text(name);
                }
            }
        });
    *value != before
}

fn range_fields(ui: &mut egui::Ui, name: &str, from: &mut f64, to: &mut f64) {
    let speed = (0.005 * from.abs().max(to.abs())).max(0.001);
    ui.horizontal(|ui| {
        ui.label("from");
        let n = name.to_string();
        ui.add(
            egui::DragValue::new(from)
                .speed(speed)
                .custom_formatter(move |v, _| param_value(&n, v)),
        );
        ui.label("to");
        let n = name.to_string();
        ui.add(
            egui::DragValue::new(to)
                .speed(speed)
                .custom_formatter(move |v, _| param_value(&n, v)),
        );
    });
}

fn analysis_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    mut notice: ResMut<Notice>,
    session: Option<Res<ActiveSession>>,
    mut view: ResMut<AnalysisView>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let s = &session.0;
    let key = (s.scenario.id.clone(), s.played.len());
    if view.form_for.as_ref() != Some(&key) {
        view.form = default_request(s);
        view.form_for = Some(key);
    }
    view.poll(ctx);
    if view.job.is_some() {
        // Keep the progress bar moving while the work runs.
        ctx.request_repaint_after(std::time::Duration::from_millis(33));
    }
    let mut root = root_ui(ctx);
    egui::Panel::top("analysis-top").show(&mut root, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Analysis").size(theme::SIZE_HEADING).strong());
            ui.separator();
            ui.label(RichText::new(&s.scenario.title).size(theme::SIZE_HEADING));
            ui.separator();
            let plan = match deciding(s) {
                Some(q) => format!(
                    "Your plan: the quarters played, {}'s draft, then held to the end",
                    s.scenario.quarter_at(q as u32)
                ),
                None => "Your plan: every quarter as you played it".to_string(),
            };
            ui.label(RichText::new(plan).color(MUTED));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let back = if deciding(s).is_some() {
                    "◀ Back to decisions"
                } else {
                    "◀ Back to debrief"
                };
                if ui.button(back).clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    actions.write(UiAction::CloseAnalysis);
                }
            });
        });
        ui.add_space(4.0);
    });
    egui::Panel::bottom("analysis-bottom").show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        ui.add_space(2.0);
    });
    egui::Panel::left("analysis-controls")
        .exact_size(370.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| controls_ui(ui, s, &mut view, &mut actions));
        });
    egui::CentralPanel::default().show(&mut root, |ui| result_ui(ui, s, &view, &mut actions));
    Ok(())
}

fn controls_ui(ui: &mut egui::Ui, s: &Session, view: &mut AnalysisView, actions: &mut MessageWriter<UiAction>) {
    let running = view.job.is_some();
    let groups = parameter_groups(s);
    ui.add_space(6.0);
    ui.add_enabled_ui(!running, |ui| {
        let form = &mut view.form;
        ui.horizontal(|ui| {
            for (tool, name, tip) in [
                (Tool::Sweep, "Sweep", "Play the plan over a range of one parameter (a line) or two (a heatmap)."),
                (Tool::GoalSeek, "Goal seek", "Find the value of one parameter at which the metric meets a target."),
                (Tool::Tornado, "Tornado", "Move every parameter and decision down and up by the same share, one at a time, and rank them by effect."),
            ] {
                ui.selectable_value(&mut form.tool, tool, RichText::new(name).size(theme::SIZE_HEADING))
                    .on_hover_text(tip);
            }
        });
        ui.add_space(8.0);
        if form.tool != Tool::Tornado {
            ui.label(RichText::new("Parameter").strong());
            let mut name = form.param.clone();
            if combo(ui, "analysis-param", s, &mut name, &groups) {
                set_default_range(s, &name, &mut form.from, &mut form.to);
                form.param = name;
            }
            range_fields(ui, &form.param, &mut form.from, &mut form.to);
            let plan = crate::game::analysis::plan_of(s);
            if let Ok(now) = crate::analysis::address::Address::parse(&form.param, &s.scenario)
                .and_then(|a| a.current(&s.scenario, &plan))
            {
                ui.label(RichText::new(format!("In your plan now: {}", param_value(&form.param, now))).color(MUTED));
            }
            ui.add_space(6.0);
        }
        if form.tool == Tool::Sweep {
            ui.horizontal(|ui| {
                ui.label("Points");
                ui.add(egui::Slider::new(&mut form.points, 3..=41));
            });
            let mut heatmap = form.param2.is_some();
            if ui
                .checkbox(&mut heatmap, "Second parameter (heatmap)")
                .on_hover_text("Vary two parameters together: every pair of values is played.")
                .changed()
            {
                form.param2 = heatmap.then(|| {
                    let name = groups
                        .iter()
                        .flat_map(|(_, n)| n.iter())
                        .find(|n| **n != form.param && n.ends_with(".bom_cut"))
                        .or_else(|| groups.iter().flat_map(|(_, n)| n.iter()).find(|n| **n != form.param))
                        .cloned()
                        .unwrap_or_default();
                    let (mut from, mut to) = (0.0, 1.0);
                    set_default_range(s, &name, &mut from, &mut to);
                    (name, from, to)
                });
            }
            if let Some((name, from, to)) = form.param2.as_mut() {
                let mut picked = name.clone();
                if combo(ui, "analysis-param2", s, &mut picked, &groups) {
                    set_default_range(s, &picked, from, to);
                    *name = picked;
                }
                range_fields(ui, name, from, to);
            }
            ui.add_space(6.0);
        }
        ui.label(RichText::new("Metric").strong());
        // The score first, then the scenario's objectives, then the usual KPIs.
        let mut metrics = vec!["score".to_string()];
        metrics.extend(s.scenario.objectives.iter().map(|o| o.metric.to_string()));
        metrics.extend(METRICS.iter().map(|m| m.to_string()));
        metrics.dedup();
        let mut seen = Vec::new();
        metrics.retain(|m| {
            let new = !seen.contains(m);
            seen.push(m.clone());
            new
        });
        let objectives: Vec<String> = s.scenario.objectives.iter().map(|o| o.metric.to_string()).collect();
        egui::ComboBox::from_id_salt("analysis-metric")
            .width(ui.available_width() - 8.0)
            .selected_text(metric_label(&form.metric))
            .show_ui(ui, |ui| {
                for m in &metrics {
                    let tag = if objectives.contains(m) { "  (objective)" } else { "" };
                    ui.selectable_value(&mut form.metric, m.clone(), format!("{}{tag}", metric_label(m)))
                        .on_hover_text(m);
                }
            });
        ui.add_space(6.0);
        match form.tool {
            Tool::GoalSeek => {
                ui.horizontal(|ui| {
                    ui.label("Target");
                    let m = form.metric.clone();
                    let speed = (0.005 * form.target.abs()).max(0.001);
                    ui.add(
                        egui::DragValue::new(&mut form.target)
                            .speed(speed)
                            .custom_formatter(move |v, _| metric_value(&m, v)),
                    );
                });
            }
            Tool::Tornado => {
                let mut spread = form.spread * 100.0;
                ui.horizontal(|ui| {
                    ui.label("Move each by ±");
                    ui.add(egui::Slider::new(&mut spread, 1.0..=50.0).suffix("%").integer());
                });
                form.spread = spread / 100.0;
            }
            Tool::Sweep => {}
        }
        ui.horizontal(|ui| {
            ui.label("Seeds per point");
            ui.add(egui::Slider::new(&mut form.runs, 1..=2000).logarithmic(true));
        });
        let n_addresses = all_addresses(&s.scenario).len();
        let total = form.total_runs(n_addresses);
        let note = match form.tool {
            Tool::GoalSeek => format!("At most {} runs, from your run's seed {}.", thousands_f64(total as f64), s.seed),
            Tool::Tornado => format!("Up to {} runs, from your run's seed {}.", thousands_f64(total as f64), s.seed),
            Tool::Sweep => format!(
                "{} runs, every point on the same seeds (from your run's seed {}).",
                thousands_f64(total as f64),
                s.seed
            ),
        };
        ui.label(RichText::new(note).color(MUTED));
    });
    ui.add_space(10.0);
    match &view.job {
        Some(job) => {
            let (done, total) = job.progress();
            let fraction = if total == 0 { 0.0 } else { done as f32 / total as f32 };
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "{} of {} runs",
                thousands_f64(done as f64),
                thousands_f64(total as f64)
            )));
            let label = if job.is_cancelling() { "Stopping…" } else { "Cancel" };
            if ui.add_enabled(!job.is_cancelling(), egui::Button::new(label)).clicked() {
                actions.write(UiAction::CancelAnalysis);
            }
        }
        None => {
            if primary_button(ui, "Run ▶").clicked() {
                actions.write(UiAction::RunAnalysis(view.form.clone()));
            }
        }
    }
}

fn result_ui(ui: &mut egui::Ui, s: &Session, view: &AnalysisView, actions: &mut MessageWriter<UiAction>) {
    if let Some(why) = &view.refused {
        ui.label(RichText::new(why).color(WORSE));
    }
    let Some(finished) = &view.last else {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.label(
                RichText::new("Pick a parameter and a metric, then Run.")
                    .size(theme::SIZE_HEADING)
                    .color(MUTED),
            );
            ui.label(
                RichText::new(
                    "A sweep plays your plan across a range; goal seek finds the value that meets a target; \
                     a tornado ranks every lever by its effect.",
                )
                .color(MUTED),
            );
        });
        return;
    };
    let r = &finished.request;
    let outcome = match &finished.outcome {
        Ok(o) => o,
        Err(why) => {
            ui.label(RichText::new(why).color(WORSE));
            return;
        }
    };
    let apply = |ui: &mut egui::Ui, actions: &mut MessageWriter<UiAction>, values: Vec<(String, f64)>| {
        let what: Vec<String> = values
            .iter()
            .map(|(p, v)| format!("{} = {}", param_label(s, p), param_value(p, *v)))
            .collect();
        match applicable(s, &values) {
            Ok(()) => {
                if ui
                    .button(RichText::new(format!("Apply to this quarter: {}", what.join(", "))).strong())
                    .clicked()
                {
                    for (param, value) in values {
                        actions.write(UiAction::ApplyDecision { param, value });
                    }
                }
            }
            Err(why) => {
                ui.label(RichText::new(why).color(MUTED));
            }
        }
    };
    let metric = &r.metric;
    match outcome {
        Outcome::Sweep(result) => {
            let better = higher_is_better(s, metric);
            let best = result
                .points
                .iter()
                .filter(|p| p.metrics[0].mean.is_finite())
                .max_by(|a, b| {
                    let o = a.metrics[0].mean.total_cmp(&b.metrics[0].mean);
                    if better { o } else { o.reverse() }
                });
            card(ui, &format!("Sweep · {}", metric_label(metric)), |ui| {
                if let Some(best) = best {
                    let at: Vec<String> = result
                        .params
                        .iter()
                        .zip(&best.values)
                        .map(|(p, v)| format!("{} = {}", param_label(s, p), param_value(p, *v)))
                        .collect();
                    let m = best.metrics[0];
                    ui.label(
                        RichText::new(format!(
                            "Best in this range: {} gives {} (mean; P10 {} to P90 {})",
                            at.join(", "),
                            metric_value(metric, m.mean),
                            metric_value(metric, m.p10),
                            metric_value(metric, m.p90)
                        ))
                        .size(theme::SIZE_HEADING),
                    );
                    apply(
                        ui,
                        actions,
                        result.params.iter().cloned().zip(best.values.iter().copied()).collect(),
                    );
                }
                let refused: usize = result.points.iter().map(|p| p.refused).sum();
                if refused > 0 {
                    let why = result.points.iter().find_map(|p| p.refusal.clone()).unwrap_or_default();
                    ui.label(RichText::new(format!("{refused} runs were refused by the model: {why}")).color(WORSE));
                }
                timing(
                    ui,
                    finished.seconds,
                    result.points.len() * result.runs_per_point as usize,
                );
            });
        }
        Outcome::Goal(g) => {
            card(ui, &format!("Goal seek · {}", metric_label(metric)), |ui| {
                match g.found {
                    Some(x) => {
                        ui.label(
                            RichText::new(format!(
                                "{} = {} gives {} = {} (target {}), the mean over {} seeds",
                                param_label(s, &g.param),
                                param_value(&g.param, x),
                                metric_label(metric),
                                metric_value(metric, g.metric_at_closest),
                                metric_value(metric, g.target),
                                r.runs
                            ))
                            .size(theme::SIZE_HEADING),
                        );
                        apply(ui, actions, vec![(g.param.clone(), x)]);
                    }
                    None => {
                        ui.label(
                            RichText::new(format!(
                                "Out of reach between {} and {}: the closest is {} = {}, which gives {} (target {}).",
                                param_value(&g.param, r.from),
                                param_value(&g.param, r.to),
                                param_label(s, &g.param),
                                param_value(&g.param, g.closest),
                                metric_value(metric, g.metric_at_closest),
                                metric_value(metric, g.target)
                            ))
                            .size(theme::SIZE_HEADING)
                            .color(WORSE),
                        );
                        apply(ui, actions, vec![(g.param.clone(), g.closest)]);
                    }
                }
                timing(ui, finished.seconds, g.evaluations * r.runs as usize);
            });
        }
        Outcome::Tornado(t) => {
            card(ui, &format!("Tornado · {}", metric_label(metric)), |ui| {
                if let Some(top) = t.bars.first() {
                    ui.label(
                        RichText::new(format!(
                            "Biggest lever: {}. Moved ±{:.0}%, it takes the metric from {} to {} (now {}).",
                            param_label(s, &top.param),
                            t.spread * 100.0,
                            metric_value(metric, top.low),
                            metric_value(metric, top.high),
                            metric_value(metric, t.base)
                        ))
                        .size(theme::SIZE_HEADING),
                    );
                }
                timing(ui, finished.seconds, (1 + 2 * t.bars.len()) * t.runs as usize);
            });
        }
    }
    if let Some(texture) = &view.texture {
        ui.add_space(6.0);
        let size = texture.size_vec2();
        let avail = ui.available_size();
        let scale = (avail.x / size.x).min(avail.y / size.y).min(1.0);
        ui.vertical_centered(|ui| {
            ui.add(egui::Image::new((texture.id(), size * scale)));
        });
    }
}

fn timing(ui: &mut egui::Ui, seconds: f64, runs: usize) {
    ui.label(
        RichText::new(format!(
            "{} runs in {seconds:.2} s, off the game's thread.",
            thousands_f64(runs as f64)
        ))
        .color(MUTED)
        .size(theme::SIZE_CAPTION),
    );
}

/// Whether these values can be written into this quarter's draft, and why not.
fn applicable(s: &Session, values: &[(String, f64)]) -> Result<(), String> {
    let Some(q) = deciding(s) else {
        return Err("The run is over: there is no quarter left to apply a value to.".into());
    };
    let plan = crate::game::analysis::plan_of(s);
    for (param, value) in values {
        crate::analysis::address::Address::parse(param, &s.scenario)
            .and_then(|a| a.applied(&s.scenario, &plan, q, *value))
            .map_err(|why| format!("Cannot apply {}: {why}.", param_label(s, param)))?;
    }
    Ok(())
}
