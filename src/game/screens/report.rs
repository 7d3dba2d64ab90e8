//! The quarter report: KPI tiles with the change on last quarter, six charts for the
//! lesson, and the "why" panel that splits the change in net profit into drivers.

use super::{Screen, ScreenUi};
use crate::game::actions::UiAction;
use crate::game::charts::{Reference, Series, drivers_chart, grouped_bars, quarters_chart};
use crate::game::session::ActiveSession;
use crate::game::theme::{self, ACCENT, MUTED, channel_color, channel_name, company_color};
use crate::game::widgets::{Better, cny, kpi_tile, pct, primary_button, root_ui, times, units};
use crate::report::profit_bridge::profit_bridge;
use crate::save::session::Session;
use crate::sim::score::ObjectiveStatus;
use crate::sim::{Channel, CompanyReport};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        report_ui.in_set(ScreenUi).run_if(in_state(Screen::Report)),
    );
}

/// How long the tiles count from last quarter's numbers to this quarter's.
const COUNT_SECONDS: f64 = 0.6;

fn report_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    session: Option<Res<ActiveSession>>,
    profile: Res<crate::game::PlayerProfile>,
    mut shown_since: Local<Option<(usize, std::time::Instant)>>,
    mut comparison: Local<Option<(usize, Result<crate::analysis::challenge::Challenge, String>)>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let s = &session.0;
    let rows = s.player_rows();
    let Some(now) = rows.last().copied() else { return Ok(()) };
    let before = rows.len().checked_sub(2).map(|i| rows[i]);
    // The numbers count up from last quarter's (not with reduced motion).
    if shown_since.is_none_or(|(n, _)| n != rows.len()) {
        *shown_since = Some((rows.len(), std::time::Instant::now()));
    }
    let elapsed = shown_since.map_or(COUNT_SECONDS, |(_, t)| t.elapsed().as_secs_f64());
    let progress = if profile.profile.settings.reduced_motion {
        1.0
    } else {
        (elapsed / COUNT_SECONDS).min(1.0)
    };
    if progress < 1.0 {
        ctx.request_repaint();
    }
    let eased = 1.0 - (1.0 - progress).powi(3);
    let mut root = root_ui(ctx);
    egui::Panel::top("report-top").show(&mut root, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("Quarter report · {}", now.quarter))
                    .size(theme::SIZE_HEADING)
                    .strong(),
            );
            ui.label(RichText::new(&s.scenario.title).color(MUTED));
        });
        ui.add_space(4.0);
        tiles_ui(ui, now, before, eased);
        ui.add_space(4.0);
        objectives_ui(ui, s);
        ui.add_space(4.0);
    });
    egui::Panel::bottom("report-actions").show(&mut root, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Hover a tile for its formula and this quarter's numbers.").color(MUTED));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let label = if s.is_over() { "Debrief ▶" } else { "Next quarter ▶" };
                if primary_button(ui, label).clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    actions.write(UiAction::NextQuarter);
                }
            });
        });
        ui.add_space(6.0);
    });
    egui::Panel::right("report-why")
        .default_size(300.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                if s.challenge.is_some() {
                    // Three replays of the run: once per quarter shown.
                    if comparison.as_ref().is_none_or(|(n, _)| *n != s.played.len()) {
                        *comparison = s.challenge_comparison().map(|c| (s.played.len(), c));
                    }
                    crate::game::panel::comparison_card(ui, s, comparison.as_ref().map(|(_, c)| c));
                    ui.add_space(6.0);
                }
                why_ui(ui, now, before);
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| charts_ui(ui, s, &rows));
    Ok(())
}

fn change(
    now: f64,
    before: Option<f64>,
    show: impl Fn(f64) -> String,
    better: Better,
) -> Option<(String, f64, Better)> {
    before.map(|b| (show(now - b), now - b, better))
}

/// The KPI tiles; `k` (0..1) counts each number from last quarter's value to this one's.
pub(super) fn tiles_ui(ui: &mut egui::Ui, now: &CompanyReport, before: Option<&CompanyReport>, k: f64) {
    let at = |now: f64, before: Option<f64>| before.map_or(now, |b| b + (now - b) * k);
    let signed_money = |v: f64| if v >= 0.0 { format!("+{}", cny(v)) } else { cny(v) };
    let pts = |v: f64| format!("{:+.1} pt", v * 100.0);
    ui.horizontal_wrapped(|ui| {
        kpi_tile(
            ui,
            "Units sold",
            units(at(now.units_sold as f64, before.map(|b| b.units_sold as f64))),
            change(
                now.units_sold as f64,
                before.map(|b| b.units_sold as f64),
                |d| {
                    if d >= 0.0 {
                        format!("+{}", crate::report::format::thousands_f64(d))
                    } else {
                        crate::report::format::thousands_f64(d)
                    }
                },
                Better::Up,
            ),
            "Units sold this quarter, all channels.",
        );
        kpi_tile(
            ui,
            "Revenue",
            cny(at(
                now.revenue_hardware + now.revenue_services,
                before.map(|b| b.revenue_hardware + b.revenue_services),
            )),
            change(
                now.revenue_hardware + now.revenue_services,
                before.map(|b| b.revenue_hardware + b.revenue_services),
                signed_money,
                Better::Up,
            ),
            "Hardware revenue (after dealer margins) + services revenue.",
        );
        kpi_tile(
            ui,
            "Net profit",
            cny(at(now.net_profit, before.map(|b| b.net_profit))),
            change(now.net_profit, before.map(|b| b.net_profit), signed_money, Better::Up),
            "Hardware revenue − COGS − hardware expenses − rebate + services profit.",
        );
        kpi_tile(
            ui,
            "Gross margin",
            pct(at(now.gross_margin, before.map(|b| b.gross_margin))),
            change(now.gross_margin, before.map(|b| b.gross_margin), pts, Better::Up),
            &format!(
                "(hardware revenue − COGS) / hardware revenue = ({} − {}) / {}",
                cny(now.revenue_hardware),
                cny(now.cogs),
                cny(now.revenue_hardware)
            ),
        );
        kpi_tile(
            ui,
            "Turnover",
            times(at(now.turnover, before.map(|b| b.turnover))),
            change(
                now.turnover,
                before.map(|b| b.turnover),
                |d| format!("{d:+.1}×"),
                Better::Up,
            ),
            "Annualised COGS / average inventory at cost (trailing four quarters).",
        );
        kpi_tile(
            ui,
            "Retail ROI",
            pct(at(now.roi, before.map(|b| b.roi))),
            change(now.roi, before.map(|b| b.roi), pts, Better::Up),
            &format!(
                "(gross margin − expense ratio) × turnover = ({} − {}) × {}",
                pct(now.gross_margin),
                pct(now.expense_ratio),
                times(now.turnover)
            ),
        );
        kpi_tile(
            ui,
            "HW margin after cap",
            pct(at(now.hw_margin_after_cap, before.map(|b| b.hw_margin_after_cap))),
            change(
                now.hw_margin_after_cap,
                before.map(|b| b.hw_margin_after_cap),
                pts,
                Better::Neither,
            ),
            "Hardware net margin over the trailing four quarters, after any rebate.",
        );
        kpi_tile(
            ui,
            "Trust",
            format!("{:.2}", at(now.trust, before.map(|b| b.trust))),
            change(now.trust, before.map(|b| b.trust), |d| format!("{d:+.2}"), Better::Up),
            "Trust (0–1).",
        );
        kpi_tile(
            ui,
            "Cash",
            cny(at(now.cash, before.map(|b| b.cash))),
            change(now.cash, before.map(|b| b.cash), signed_money, Better::Up),
            "Cash at the end of the quarter = opening + inflows − outflows.",
        );
    });
}

/// Each objective as a thin bar toward its target, with its status.
fn objectives_ui(ui: &mut egui::Ui, s: &Session) {
    ui.horizontal_wrapped(|ui| {
        for o in s.objectives() {
            let progress = match (o.value, o.target) {
                (Some(v), t) if t > 0.0 => (v / t).clamp(0.0, 1.0) as f32,
                (Some(v), _) => {
                    if v >= o.target {
                        1.0
                    } else {
                        0.0
                    }
                }
                (None, _) => 0.0,
            };
            let (mark, color) = match o.status {
                ObjectiveStatus::Met => ("met", theme::BETTER),
                ObjectiveStatus::Missed => ("missed", theme::WORSE),
                ObjectiveStatus::Pending => ("open", ACCENT),
            };
            ui.vertical(|ui| {
                ui.set_width(300.0);
                ui.label(
                    RichText::new(format!("{} ({mark})", o.text))
                        .size(theme::SIZE_CAPTION)
                        .color(MUTED),
                );
                ui.add(
                    egui::ProgressBar::new(progress)
                        .desired_width(290.0)
                        .desired_height(6.0)
                        .fill(color),
                );
            })
            .response
            .on_hover_text(format!(
                "{}: now {}, target {}",
                o.metric,
                o.value.map_or("—".into(), |v| format!("{v:.3}")),
                o.target
            ));
        }
    });
}

fn why_ui(ui: &mut egui::Ui, now: &CompanyReport, before: Option<&CompanyReport>) {
    ui.add_space(6.0);
    ui.label(RichText::new("Why profit moved").size(theme::SIZE_HEADING).strong());
    let Some(before) = before else {
        ui.label(
            RichText::new("The first quarter: the next report will break the change in net profit into its drivers.")
                .color(MUTED),
        );
        return;
    };
    let bridge = profit_bridge(before, now);
    let drivers: Vec<(String, f64)> = bridge.iter().map(|(d, v)| (d.label().to_string(), v / 1e6)).collect();
    let change = now.net_profit - before.net_profit;
    ui.label(format!(
        "Net profit went from {} to {} ({}{}).",
        cny(before.net_profit),
        cny(now.net_profit),
        if change >= 0.0 { "+" } else { "" },
        cny(change)
    ));
    drivers_chart(
        ui,
        "why",
        "Change in net profit by driver",
        "¥ million",
        &drivers,
        220.0,
    );
    for (driver, value) in &bridge {
        ui.horizontal(|ui| {
            ui.label(driver.label());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let color = if *value >= 0.0 { theme::BETTER } else { theme::WORSE };
                ui.label(
                    RichText::new(if *value >= 0.0 {
                        format!("+{}", cny(*value))
                    } else {
                        cny(*value)
                    })
                    .color(color),
                );
            });
        });
    }
}

pub(super) fn charts_ui(ui: &mut egui::Ui, s: &Session, rows: &[&CompanyReport]) {
    let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
    let Some(now) = rows.last() else { return };
    let height = ((ui.available_height() - 110.0) / 2.0).clamp(110.0, 300.0);
    let series = |name: &str, color, f: &dyn Fn(&CompanyReport) -> f64| Series {
        name: name.into(),
        color,
        values: rows.iter().map(|r| f(r)).collect(),
    };
    ui.columns(4, |cols| {
        quarters_chart(
            &mut cols[0],
            "units",
            "Units sold and demand",
            "million units",
            &quarters,
            vec![
                series("sold", ACCENT, &|r| r.units_sold as f64 / 1e6),
                series("demand", MUTED, &|r| r.demand as f64 / 1e6),
            ],
            vec![],
            height,
        );
        quarters_chart(
            &mut cols[1],
            "revenue",
            "Revenue and net profit",
            "¥ million",
            &quarters,
            vec![
                series("revenue", ACCENT, &|r| (r.revenue_hardware + r.revenue_services) / 1e6),
                series("net profit", company_color(1, false), &|r| r.net_profit / 1e6),
            ],
            vec![],
            height,
        );
        let channels: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|&ch| now.revenue_by_channel[ch] > 0.0)
            .collect();
        let names: Vec<String> = channels.iter().map(|&ch| channel_name(ch).to_string()).collect();
        grouped_bars(
            &mut cols[2],
            "channels",
            &format!("Margin vs expenses, {}", now.quarter),
            "% of revenue",
            &names,
            vec![
                (
                    "gross margin".into(),
                    channel_color(Channel::Online),
                    channels
                        .iter()
                        .map(|&ch| now.gross_margin_by_channel[ch] * 100.0)
                        .collect(),
                ),
                (
                    "expense ratio".into(),
                    theme::WORSE,
                    channels
                        .iter()
                        .map(|&ch| now.expense_ratio_by_channel[ch] * 100.0)
                        .collect(),
                ),
            ],
            height - 34.0,
        );
        let roi: Vec<String> = channels
            .iter()
            .map(|&ch| {
                format!(
                    "{} {} = {} × {}",
                    channel_name(ch),
                    pct(now.roi_by_channel[ch]),
                    pct(now.gross_margin_by_channel[ch] - now.expense_ratio_by_channel[ch]),
                    times(now.turnover_by_channel[ch])
                )
            })
            .collect();
        cols[2].label(
            RichText::new(format!("ROI = (GM − expenses) × turnover: {}", roi.join("; ")))
                .size(theme::SIZE_CAPTION)
                .color(MUTED),
        );
        let mut cap_refs = Vec::new();
        if let Some(cap) = s.scenario.cap.cap() {
            cap_refs.push(Reference {
                name: format!("cap {}", pct(cap)),
                value: cap * 100.0,
            });
        }
        quarters_chart(
            &mut cols[3],
            "cap",
            "Hardware net margin and the cap",
            "margin (%)",
            &quarters,
            vec![
                series("before cap", MUTED, &|r| r.hw_margin_before_cap * 100.0),
                series("after cap", ACCENT, &|r| r.hw_margin_after_cap * 100.0),
            ],
            cap_refs,
            height - 18.0,
        );
        let rebates: f64 = rows.iter().map(|r| r.rebate).sum();
        cols[3].label(
            RichText::new(format!(
                "Trailing four quarters. Rebates returned to users so far: {}",
                cny(rebates)
            ))
            .size(theme::SIZE_CAPTION)
            .color(MUTED),
        );
    });
    ui.add_space(6.0);
    ui.columns(4, |cols| {
        quarters_chart(
            &mut cols[0],
            "cash",
            "Cash against the credit line",
            "¥ million",
            &quarters,
            vec![series("cash", ACCENT, &|r| r.cash / 1e6)],
            vec![Reference {
                name: "credit line".into(),
                value: -s.scenario.finance.credit_line / 1e6,
            }],
            height,
        );
        quarters_chart(
            &mut cols[1],
            "trust",
            "Trust",
            "trust (0–100)",
            &quarters,
            vec![series("trust", ACCENT, &|r| r.trust * 100.0)],
            vec![],
            height,
        );
        let segments: Vec<String> = s.scenario.market.segments.iter().map(|g| g.name.clone()).collect();
        let shares: Vec<Series> = segments
            .iter()
            .enumerate()
            .map(|(k, name)| Series {
                name: name.clone(),
                color: if k == 0 { ACCENT } else { company_color(k, false) },
                values: rows
                    .iter()
                    .map(|r| r.share_by_segment.get(name.as_str()).copied().unwrap_or(0.0) * 100.0)
                    .collect(),
            })
            .collect();
        quarters_chart(
            &mut cols[2],
            "share",
            "Your share of each segment",
            "% of units sold",
            &quarters,
            shares,
            vec![],
            height,
        );
        quarters_chart(
            &mut cols[3],
            "turnover",
            "Turnover and SKU focus",
            "× a year",
            &quarters,
            vec![
                series("turnover", ACCENT, &|r| r.turnover),
                series("focus ×10", MUTED, &|r| r.focus_index * 10.0),
            ],
            vec![],
            height,
        );
    });
}
