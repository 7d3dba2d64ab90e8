//! `step`: one quarter of the whole market, in MODEL.md's fixed order of resolution.
//!
//! The function clones the world, collects every company's decisions (players'
//! from the caller, validated first; rivals' from their policies, which read only
//! public information), applies portfolio changes, then runs the twelve steps —
//! events, cost, quality, demand, channels, finance, inventory, retail ROI, margin
//! cap, services, trust, cash — each in its own module, companies in index order.
//! Invalid player decisions return a [`DecisionError`] before anything is
//! resolved, so the caller's world is untouched. Bankrupt companies stay out of
//! the market and the report.

use super::channel_map::{Channel, ChannelMap};
use super::decisions::{self, CompanyDecisions, DecisionError, FieldProblem, ValidationContext};
use super::demand::{self, AwarenessInputs, LogitScratch, Offer};
use super::report::{CompanyReport, QuarterReport, SkuReport};
use super::rng::{self, standard_normal};
use super::trust::TrustInputs;
use super::world::{QuarterFlows, SkuState, SkuStatus, World, public_market_of};
use super::{
    cash, channels, cost, events, finance, inventory, margin_cap, quality, retail_roi, rivals, services, trust,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The player companies' decisions for one quarter, in company order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decisions {
    pub players: Vec<CompanyDecisions>,
}

impl Decisions {
    /// Decisions of a one-player market.
    pub fn solo(decisions: CompanyDecisions) -> Self {
        Self {
            players: vec![decisions],
        }
    }
}

/// One SKU's figures while the quarter resolves.
#[derive(Clone, Debug, Default)]
struct SkuWork {
    price: f64,
    unit_cost: f64,
    /// Defect rate of the units on sale (stock and this quarter's batch).
    defect: f64,
    /// Defect rate of the design made this quarter (what the veto judges).
    design_defect: f64,
    /// The BOM cut of the design this quarter.
    bom_cut: f64,
    vetoed: bool,
    offered: bool,
    produced: u64,
    noise: f64,
    value: f64,
    demand: ChannelMap<u64>,
    sold: ChannelMap<u64>,
}

/// One company's figures while the quarter resolves.
#[derive(Clone, Debug, Default)]
struct CompanyWork {
    new_stores: u32,
    launch_cost: f64,
    mitigation: f64,
    production_cost: f64,
    present: ChannelMap<bool>,
    coverage: ChannelMap<f64>,
    perf_factor: f64,
    opening_units: u64,
    opening_value: ChannelMap<f64>,
    skus: Vec<SkuWork>,
}

/// Resolves one quarter for every company in the market.
pub fn step(world: &World, decisions: &Decisions) -> Result<(World, QuarterReport), DecisionError> {
    let scenario = world.scenario.clone();
    let sc = &*scenario;
    let q = world.quarter_idx;
    if world.is_finished() {
        return Err(DecisionError {
            company: String::new(),
            problems: vec![FieldProblem {
                field: "quarter".into(),
                message: format!("the scenario ended after {} quarters", sc.n_quarters),
            }],
        });
    }
    let mut next = world.clone();

    // 1. Events.
    let due = events::due(world);
    let event_titles = events::apply(&mut next, &due);
    let mods = events::modifiers(&next.active_events, sc);
    let capacity_factor = mods.capacity_factor.max(0.0);

    // Decisions of every company: players validated, rivals from their policies.
    let n_players = next.companies.iter().filter(|c| c.is_player).count();
    if decisions.players.len() != n_players {
        return Err(DecisionError {
            company: String::new(),
            problems: vec![FieldProblem {
                field: "decisions".into(),
                message: format!(
                    "expected decisions for {n_players} player companies, found {}",
                    decisions.players.len()
                ),
            }],
        });
    }
    let mut chosen: Vec<CompanyDecisions> = Vec::with_capacity(next.companies.len());
    let mut clone_orders = Vec::new();
    let mut players = decisions.players.iter();
    for idx in 0..next.companies.len() {
        let company = &next.companies[idx];
        if company.is_player {
            let Some(d) = players.next() else { break };
            if !company.bankrupt {
                let capacity = (company.capacity as f64 * capacity_factor).floor() as u64;
                let ctx = ValidationContext {
                    capacity,
                    max_stores: sc.finance.max_stores,
                    max_dealer_margin: mods.dealer_margin_max,
                    catalogue_lead_time: &|id| sc.catalogue_sku(id).map(|s| s.lead_time),
                    quarter_idx: q,
                };
                let problems = decisions::problems(company, d, &ctx);
                if !problems.is_empty() {
                    return Err(DecisionError {
                        company: company.name.to_string(),
                        problems,
                    });
                }
            }
            chosen.push(d.clone());
        } else {
            let (d, clone_order) = rivals::decide(&next, idx, &mods);
            if let Some(order) = clone_order {
                clone_orders.push((idx, order));
            }
            chosen.push(d);
        }
    }

    // Portfolio: launches, development finished, retirements, stores, R&D stock.
    let mut work: Vec<CompanyWork> = vec![
        CompanyWork {
            perf_factor: 1.0,
            ..CompanyWork::default()
        };
        next.companies.len()
    ];
    for (idx, company) in next.companies.iter_mut().enumerate() {
        if company.bankrupt {
            continue;
        }
        let d = &chosen[idx];
        for id in &d.launch {
            if let Some(spec) = sc.catalogue_sku(id) {
                let status = if spec.lead_time == 0 {
                    SkuStatus::Active
                } else {
                    SkuStatus::Development {
                        ready_idx: q + spec.lead_time,
                    }
                };
                let mut sku = SkuState::from_spec(spec, status, q);
                sku.perf *= next.chipset_perf;
                if let Some(sd) = d.skus.get(id) {
                    sku.last_price = sd.price;
                }
                company.skus.push(sku);
                work[idx].launch_cost += spec.launch_cost;
            }
        }
        for sku in &mut company.skus {
            if let SkuStatus::Development { ready_idx } = sku.status
                && ready_idx <= q
            {
                sku.status = SkuStatus::Active;
                sku.launched_idx = q;
            }
            if d.retire.iter().any(|r| r.as_str() == &*sku.id) {
                sku.status = SkuStatus::Retired { since_idx: q };
            }
        }
        work[idx].new_stores = d.stores.saturating_sub(company.stores);
        company.stores = d.stores;
        company.rnd_stock = company.rnd_stock * (1.0 - sc.finance.rnd_decay) + d.rnd;
        work[idx].perf_factor =
            1.0 + sc.finance.rnd_perf_gain * demand::saturating(company.rnd_stock, sc.finance.rnd_half);
    }
    for (idx, order) in clone_orders {
        let sku = rivals::clone_sku(&next, &order, q);
        if let Some(sku) = sku {
            next.companies[idx].skus.push(sku);
        }
    }

    // 2–3. Unit cost, quality and the veto; production into the channels.
    for (idx, company) in next.companies.iter_mut().enumerate() {
        let w = &mut work[idx];
        w.skus = vec![SkuWork::default(); company.skus.len()];
        for sku in &company.skus {
            for ch in Channel::ALL {
                w.opening_value[ch] += sku.inventory[ch] as f64 * sku.avg_cost;
            }
            w.opening_units += sku.stock();
        }
        if company.bankrupt {
            continue;
        }
        let d = &chosen[idx];
        let capacity = (company.capacity as f64 * capacity_factor).floor() as u64;
        for (sku, sw) in company.skus.iter_mut().zip(w.skus.iter_mut()) {
            let sd = d.skus.get(&*sku.id);
            sw.price = sd.map_or(sku.last_price, |s| s.price);
            let cut = sd.map_or(0.0, |s| s.bom_cut);
            sw.bom_cut = cut;
            let mitigation = match sku.status {
                SkuStatus::Retired { .. } => 0.0,
                _ => sd.map_or(0.0, |s| s.mitigation),
            };
            w.mitigation += mitigation;
            sw.unit_cost = cost::sku_unit_cost(sku, cut, q, &sc.costs, mods.cost_factor);
            // The veto judges the design being made this quarter; stock already made
            // keeps the quality it was made with.
            let design_defect = quality::defect_rate(sku.base_defect, cut, mitigation, &sc.quality);
            sw.vetoed = sku.is_active() && quality::is_vetoed(design_defect, &sc.quality);
            sw.produced = if sku.is_active() && !sw.vetoed {
                sd.map_or(0, |s| s.production).min(capacity)
            } else {
                0
            };
            let alloc = channels::split_largest_remainder(sw.produced, &d.channels);
            sku.avg_cost = inventory::moving_average_cost(sku.stock(), sku.avg_cost, sw.produced, sw.unit_cost);
            sku.avg_defect = inventory::moving_average_cost(sku.stock(), sku.avg_defect, sw.produced, design_defect);
            sw.design_defect = design_defect;
            sw.defect = if sku.stock() + sw.produced > 0 {
                sku.avg_defect
            } else {
                design_defect
            };
            for ch in Channel::ALL {
                sku.inventory[ch] += alloc[ch];
            }
            sku.cum_units += sw.produced;
            w.production_cost += sw.produced as f64 * sw.unit_cost;
            sw.offered = !sw.vetoed
                && match sku.status {
                    SkuStatus::Active => true,
                    SkuStatus::Retired { .. } => sku.stock() > 0,
                    SkuStatus::Development { .. } => false,
                };
        }
        for ch in Channel::ALL {
            let stock: u64 = company.skus.iter().map(|s| s.inventory[ch]).sum();
            w.present[ch] = channels::is_present(ch, d.channels[ch], stock, company.stores);
            w.coverage[ch] = channels::coverage(ch, company.stores, d.dealer_margin, &sc.channels[ch]);
        }
    }

    // 4. Demand: buyers per segment, awareness per company, noise, nested-logit choice.
    let traffic_index = finance::traffic_cost_index(&sc.market.traffic, q, mods.traffic_factor);
    let n_segments = sc.market.segments.len();
    let mut buyers = vec![0.0; n_segments];
    for (s, seg) in sc.market.segments.iter().enumerate() {
        let (b, state) = demand::segment_buyers(seg, &next.segments[s], mods.demand_factor[s]);
        buyers[s] = b;
        next.segments[s] = state;
    }
    for (idx, company) in next.companies.iter_mut().enumerate() {
        if company.bankrupt {
            continue;
        }
        let d = &chosen[idx];
        let w = &work[idx];
        for (s, seg) in sc.market.segments.iter().enumerate() {
            let presence: f64 = Channel::ALL
                .iter()
                .filter(|&&ch| w.present[ch])
                .map(|&ch| seg.reach[ch] * w.coverage[ch])
                .sum();
            let inputs = AwarenessInputs {
                paid_traffic: d.paid_traffic,
                traffic_index,
                presence,
                trust: company.trust,
                community: d.community,
                focus: company.focus,
            };
            let (p, qc) = demand::awareness_coefficients(&inputs, &sc.market.awareness);
            company.awareness[s] = demand::next_awareness(company.awareness[s], p, qc);
        }
    }
    let sigma = sc.market.demand.noise_sigma;
    let quarter_key = rng::next_key(&mut next.rng);
    for (idx, company) in next.companies.iter().enumerate() {
        let w = &mut work[idx];
        let perf_factor = w.perf_factor;
        for (sku, sw) in company.skus.iter().zip(w.skus.iter_mut()) {
            let z = standard_normal(&mut rng::substream(quarter_key, idx, &sku.id));
            sw.noise = libm::exp(sigma * z);
            let perf = sku.perf * perf_factor;
            sw.value = demand::value(
                &sc.market.segments[sku.segment],
                next.segments[sku.segment].ref_perf,
                sw.price.max(1e-9),
                perf,
            );
        }
    }
    let mut offers: Vec<Offer> = Vec::new();
    let mut refs: Vec<(usize, usize)> = Vec::new();
    let mut scratch = LogitScratch::default();
    for (s, seg) in sc.market.segments.iter().enumerate() {
        for ch in Channel::ALL {
            let channel_buyers = buyers[s] * seg.reach[ch];
            if channel_buyers <= 0.0 {
                continue;
            }
            offers.clear();
            refs.clear();
            for (ci, company) in next.companies.iter().enumerate() {
                let w = &work[ci];
                if company.bankrupt || !w.present[ch] {
                    continue;
                }
                let weight = company.awareness[s] * w.coverage[ch];
                if weight <= 0.0 {
                    continue;
                }
                let ln_weight = libm::log(weight);
                for (si, sku) in company.skus.iter().enumerate() {
                    let sw = &w.skus[si];
                    if sku.segment != s || !sw.offered {
                        continue;
                    }
                    let utility = demand::utility(sw.value, company.trust, sw.defect, &sc.market.demand);
                    offers.push(Offer {
                        nest: ci,
                        utility,
                        ln_weight,
                    });
                    refs.push((ci, si));
                }
            }
            if offers.is_empty() {
                continue;
            }
            demand::nested_logit(
                &offers,
                sc.market.demand.outside_utility,
                sc.market.demand.nest_lambda,
                &mut scratch,
            );
            for (k, &(ci, si)) in refs.iter().enumerate() {
                let sw = &mut work[ci].skus[si];
                sw.demand[ch] += channels::whole_units(channel_buyers * scratch.shares[k] * sw.noise);
            }
        }
    }

    // 5. Channels: sales from the stock in each channel; the rest is lost.
    for (idx, company) in next.companies.iter_mut().enumerate() {
        for (sku, sw) in company.skus.iter_mut().zip(work[idx].skus.iter_mut()) {
            for ch in Channel::ALL {
                let sold = sw.demand[ch].min(sku.inventory[ch]);
                sw.sold[ch] = sold;
                sku.inventory[ch] -= sold;
            }
        }
    }

    // Segment totals for shares and the value surprise.
    let mut segment_units = vec![0u64; n_segments];
    let mut segment_value = vec![0.0f64; n_segments];
    for (idx, company) in next.companies.iter().enumerate() {
        for (sku, sw) in company.skus.iter().zip(work[idx].skus.iter()) {
            let sold = sw.sold.sum();
            if sold > 0 {
                segment_units[sku.segment] += sold;
                segment_value[sku.segment] += sold as f64 * sw.value;
            }
        }
    }

    // 6–12 per company.
    let mut rows = Vec::with_capacity(next.companies.len());
    for idx in 0..next.companies.len() {
        if world.companies[idx].bankrupt {
            continue;
        }
        let d = &chosen[idx];
        let w = &work[idx];
        let company = &mut next.companies[idx];

        // 6. Finance per channel.
        let mut units = ChannelMap::<u64>::default();
        let mut revenue = ChannelMap::<f64>::default();
        let mut cogs = ChannelMap::<f64>::default();
        let mut demand_units = 0u64;
        let mut repair = 0.0;
        let mut defect_weighted = 0.0;
        let mut units_by_segment = vec![0u64; n_segments];
        let mut value_by_segment = vec![0.0f64; n_segments];
        for (sku, sw) in company.skus.iter().zip(w.skus.iter()) {
            let sold_total = sw.sold.sum();
            for ch in Channel::ALL {
                let sold = sw.sold[ch];
                units[ch] += sold;
                revenue[ch] += finance::channel_revenue(ch, sw.price, sold, d.dealer_margin);
                cogs[ch] += sold as f64 * sku.avg_cost;
            }
            demand_units += sw.demand.sum();
            repair += quality::repair_cost(sw.defect, sold_total, &sc.quality);
            defect_weighted += sw.defect * sold_total as f64;
            if sold_total > 0 {
                units_by_segment[sku.segment] += sold_total;
                value_by_segment[sku.segment] += sold_total as f64 * sw.value;
            }
        }
        let opex = ChannelMap::from_fn(|ch| {
            let activity = finance::ChannelActivity {
                units: units[ch],
                revenue: revenue[ch],
                stores: company.stores,
                new_stores: w.new_stores,
                traffic_index,
                commission_delta: mods.commission_delta,
            };
            finance::channel_opex(ch, &activity, &sc.channels[ch])
        });

        // 7. Inventory: write-offs, closing stock, turnover.
        let mut written_off = 0u64;
        let mut write_off_cost = 0.0;
        for sku in &mut company.skus {
            if let SkuStatus::Retired { since_idx } = sku.status
                && inventory::writeoff_due(since_idx, q, sc.costs.writeoff_after)
            {
                let stock = sku.stock();
                written_off += stock;
                write_off_cost += stock as f64 * sku.avg_cost;
                sku.inventory = ChannelMap::default();
            }
        }
        let mut closing_value = ChannelMap::<f64>::default();
        let mut closing_units = 0u64;
        for sku in &company.skus {
            for ch in Channel::ALL {
                closing_value[ch] += sku.inventory[ch] as f64 * sku.avg_cost;
            }
            closing_units += sku.stock();
        }
        let avg_inventory = ChannelMap::from_fn(|ch| {
            inventory::average_inventory(
                w.opening_value[ch],
                closing_value[ch],
                cogs[ch],
                sc.channels[ch].min_stock_weeks,
            )
        });
        let earlier = company.history.quarters();
        let recent = &earlier[earlier.len().saturating_sub(3)..];
        let turnover_by_channel = ChannelMap::from_fn(|ch| {
            inventory::annualised_turnover(
                recent
                    .iter()
                    .map(|f| (f.cogs[ch], f.avg_inventory[ch]))
                    .chain(std::iter::once((cogs[ch], avg_inventory[ch]))),
            )
        });
        let turnover = inventory::annualised_turnover(
            recent
                .iter()
                .map(|f| (f.cogs.sum(), f.avg_inventory.sum()))
                .chain(std::iter::once((cogs.sum(), avg_inventory.sum()))),
        );

        // 8. Retail ROI.
        let gross_margin_by_channel = ChannelMap::from_fn(|ch| retail_roi::ratio(revenue[ch] - cogs[ch], revenue[ch]));
        let expense_ratio_by_channel = ChannelMap::from_fn(|ch| retail_roi::ratio(opex[ch], revenue[ch]));
        let roi_by_channel = ChannelMap::from_fn(|ch| {
            retail_roi::retail_roi(
                gross_margin_by_channel[ch],
                expense_ratio_by_channel[ch],
                turnover_by_channel[ch],
            )
        });
        let hw_revenue = revenue.sum();
        let total_cogs = cogs.sum();
        let hardware_opex = opex.sum()
            + d.community
            + d.paid_traffic
            + d.rnd
            + w.mitigation
            + repair
            + w.launch_cost
            + sc.finance.overhead
            + write_off_cost;
        let gross_margin = retail_roi::ratio(hw_revenue - total_cogs, hw_revenue);
        let expense_ratio = retail_roi::ratio(hardware_opex, hw_revenue);
        let roi = retail_roi::retail_roi(gross_margin, expense_ratio, turnover);

        // 9. Margin cap.
        let hw_profit = hw_revenue - total_cogs - hardware_opex;
        let cap = sc.cap.binding(company.is_player);
        let capped = margin_cap::apply_cap(company.history.quarters(), hw_revenue, hw_profit, cap);

        // 10. Services.
        let units_sold = units.sum();
        let svc = services::services(company.active_users, units_sold, d.monetisation, &sc.services);

        // 11. Trust.
        let mut surprise = 0.0;
        if units_sold > 0 {
            for s in 0..n_segments {
                let own = units_by_segment[s];
                if own == 0 {
                    continue;
                }
                let others = segment_units[s] - own;
                let others_value = if others > 0 {
                    (segment_value[s] - value_by_segment[s]) / others as f64
                } else {
                    0.0
                };
                surprise += own as f64 * (value_by_segment[s] / own as f64 - others_value);
            }
            surprise /= units_sold as f64;
            let price_sensitivity = units_by_segment
                .iter()
                .zip(&sc.market.segments)
                .map(|(&u, seg)| u as f64 * seg.price_sensitivity)
                .sum::<f64>()
                / units_sold as f64;
            let rebate_share = retail_roi::ratio(capped.rebate, hw_revenue);
            surprise += trust::rebate_value(rebate_share, price_sensitivity, &sc.trust);
        }
        let inputs = TrustInputs {
            value_surprise: surprise,
            defect_rate: retail_roi::ratio(defect_weighted, units_sold as f64),
            stockout_share: retail_roi::ratio((demand_units - units_sold) as f64, demand_units as f64),
            monetisation: d.monetisation,
            excess_margin: if sc.cap.enabled || !company.is_player {
                0.0
            } else {
                (capped.margin_before - sc.cap.level).max(0.0)
            },
            community: demand::saturating(d.community, sc.market.awareness.community_half),
        };
        let trust_after = trust::next_trust(company.trust, &inputs, &sc.trust);

        // 12. Cash.
        let inflows = hw_revenue + svc.revenue;
        let outflows = w.production_cost + (hardware_opex - write_off_cost) + capped.rebate + svc.cost;
        let cash_opening = company.cash;
        let (cash_after, bankrupt) = cash::close(cash_opening, inflows, outflows, sc.finance.credit_line);
        let net_profit = hw_revenue - total_cogs - hardware_opex - capped.rebate + svc.profit;

        // Focus: Herfindahl index of this quarter's unit sales across SKUs.
        let on_sale = company.skus.iter().filter(|s| s.is_active()).count();
        let focus = if units_sold > 0 {
            w.skus
                .iter()
                .map(|sw| {
                    let share = sw.sold.sum() as f64 / units_sold as f64;
                    share * share
                })
                .sum()
        } else if on_sale > 0 {
            1.0 / on_sale as f64
        } else {
            1.0
        };

        // The BOM cut of what was made: production-weighted, else the active designs' mean.
        let produced: u64 = w.skus.iter().map(|sw| sw.produced).sum();
        // Mean of a figure over the active designs (when nothing was made or sold).
        let active_mean = |f: fn(&SkuWork) -> f64| {
            let values: Vec<f64> = company
                .skus
                .iter()
                .zip(w.skus.iter())
                .filter(|(s, _)| s.is_active())
                .map(|(_, sw)| f(sw))
                .collect();
            if values.is_empty() {
                0.0
            } else {
                values.iter().sum::<f64>() / values.len() as f64
            }
        };
        let reported_cut = if produced > 0 {
            w.skus.iter().map(|sw| sw.bom_cut * sw.produced as f64).sum::<f64>() / produced as f64
        } else {
            active_mean(|sw| sw.bom_cut)
        };
        // Nothing sold: the mean defect rate of the designs in production, so a vetoed
        // quarter shows why.
        let reported_defect = if units_sold > 0 {
            defect_weighted / units_sold as f64
        } else {
            active_mean(|sw| sw.design_defect)
        };
        company.last_price_factor = company.price_factor;
        let mut sku_reports = Vec::with_capacity(company.skus.len());
        for (sku, sw) in company.skus.iter_mut().zip(w.skus.iter()) {
            sku.last_sold = sw.sold.sum();
            sku.last_demand = sw.demand.sum();
            if !matches!(sku.status, SkuStatus::Development { .. }) {
                sku.last_price = sw.price;
                sku.last_unit_cost = sw.unit_cost;
            }
            sku_reports.push(SkuReport {
                id: sku.id.clone(),
                segment: sc.market.segments[sku.segment].name.as_str().into(),
                status: match sku.status {
                    SkuStatus::Development { .. } => "development",
                    SkuStatus::Active => "active",
                    SkuStatus::Retired { .. } => "retired",
                }
                .into(),
                price: sw.price,
                unit_cost: sw.unit_cost,
                defect_rate: sw.defect,
                bom_cut: sw.bom_cut,
                vetoed: sw.vetoed,
                units_produced: sw.produced,
                units_sold: sku.last_sold,
                demand: sku.last_demand,
                inventory_closing: sku.stock(),
            });
        }
        let share_by_segment: BTreeMap<Arc<str>, f64> = sc
            .market
            .segments
            .iter()
            .enumerate()
            .map(|(s, seg)| {
                (
                    seg.name.as_str().into(),
                    retail_roi::ratio(units_by_segment[s] as f64, segment_units[s] as f64),
                )
            })
            .collect();

        company.history.push(QuarterFlows {
            hw_revenue,
            hw_profit,
            rebate: capped.rebate,
            cogs,
            avg_inventory,
        });
        company.cash = cash_after;
        company.bankrupt = bankrupt;
        company.trust = trust_after;
        company.active_users = svc.users_after;
        company.focus = focus;
        company.last_decisions = d.carried_over();

        rows.push(CompanyReport {
            quarter: world.quarter(),
            company: company.name.clone(),
            is_player: company.is_player,
            units_sold,
            units_produced: w.skus.iter().map(|s| s.produced).sum(),
            demand: demand_units,
            inventory_opening: w.opening_units,
            inventory_closing: closing_units,
            written_off,
            revenue_hardware: hw_revenue,
            revenue_services: svc.revenue,
            cogs: total_cogs,
            gross_margin,
            expense_ratio,
            turnover,
            roi,
            units_by_channel: units,
            revenue_by_channel: revenue,
            gross_margin_by_channel,
            expense_ratio_by_channel,
            turnover_by_channel,
            roi_by_channel,
            hardware_opex,
            write_off_cost,
            hw_margin_before_cap: capped.margin_before,
            hw_margin_after_cap: capped.margin_after,
            cap,
            rebate: capped.rebate,
            services_profit: svc.profit,
            net_profit,
            cash_opening,
            inflows,
            outflows,
            cash: cash_after,
            bankrupt,
            trust: trust_after,
            active_users: svc.users_after.round_ties_even().max(0.0) as u64,
            sku_count: on_sale as u32,
            focus_index: focus,
            defect_rate: reported_defect,
            bom_cut: reported_cut,
            quality_vetoes: w.skus.iter().filter(|s| s.vetoed).count() as u32,
            stockouts: demand_units - units_sold,
            traffic_cost_index: traffic_index,
            stores: company.stores,
            share_by_segment,
            events: event_titles.clone(),
            skus: sku_reports,
        });
    }

    next.quarter_idx += 1;
    next.public = public_market_of(&next.companies);
    let report = QuarterReport {
        quarter: world.quarter(),
        events: event_titles,
        companies: rows,
    };
    Ok((next, report))
}
