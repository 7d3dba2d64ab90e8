//! Validation: scenario file types → the core's [`Scenario`], collecting every
//! problem (field path + sentence) rather than stopping at the first.
//!
//! Beyond ranges, it resolves names (segments, companies, SKUs), checks each
//! company's opening decisions with the same rules `step` applies, and plays the
//! reference decision log once (seed 0) so a log the model would refuse is caught
//! here, pointing at the quarter and field.

use super::file::{SCENARIO_VERSION, ScenarioFile, SkuFile};
use crate::sim::channel_map::Channel;
use crate::sim::decisions::{self, ValidationContext};
use crate::sim::metric::MetricSpec;
use crate::sim::params::{
    Calibration, CompanySpec, Comparison, EventKind, Market, Objective, RivalPolicy, Scenario, ScheduledEvent, SkuSpec,
};
use crate::sim::strategies::{LogPolicy, Policy};
use crate::sim::time::Quarter;
use crate::sim::world::World;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Longest scenario accepted, in quarters.
pub const MAX_QUARTERS: u32 = 80;

/// Collects `(field path, sentence)` problems.
#[derive(Default)]
struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push((field.into(), message.into()));
    }

    fn range(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() || value < lo || value > hi {
            self.fail(field, format!("must be between {lo} and {hi}, found {value}"));
        }
    }

    fn positive(&mut self, field: &str, value: f64) {
        if !value.is_finite() || value <= 0.0 {
            self.fail(field, format!("must be > 0, found {value}"));
        }
    }

    fn non_negative(&mut self, field: &str, value: f64) {
        if !value.is_finite() || value < 0.0 {
            self.fail(field, format!("must be ≥ 0, found {value}"));
        }
    }

    fn finite(&mut self, field: &str, value: f64) {
        if !value.is_finite() {
            self.fail(field, format!("must be a finite number, found {value}"));
        }
    }

    fn name(&mut self, field: &str, value: &str) {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            self.fail(
                field,
                format!("must be 1–64 characters of a-z, 0-9, '-' or '_', found \"{value}\""),
            );
        }
    }

    fn text(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        }
    }
}

/// Builds the core's scenario from the file, or returns every problem found.
pub fn validate(file: &ScenarioFile) -> Result<Scenario, Vec<(String, String)>> {
    let mut c = Checker::default();
    if file.version != SCENARIO_VERSION {
        c.fail(
            "version",
            format!(
                "this build reads scenario version {SCENARIO_VERSION}, found {}",
                file.version
            ),
        );
    }
    c.name("id", &file.id);
    c.text("title", &file.title);
    c.text("pitch", &file.pitch);
    c.text("briefing", &file.briefing);
    let start = Quarter::parse(&file.start).unwrap_or_else(|| {
        c.fail(
            "start",
            format!("expected a quarter such as \"2011Q3\", found \"{}\"", file.start),
        );
        Quarter { year: 2000, q: 1 }
    });
    if file.quarters == 0 || file.quarters > MAX_QUARTERS {
        c.fail(
            "quarters",
            format!("must be between 1 and {MAX_QUARTERS}, found {}", file.quarters),
        );
    }
    let n_quarters = file.quarters.clamp(1, MAX_QUARTERS);
    let quarter_idx = |c: &mut Checker, field: &str, text: &str| -> u32 {
        match Quarter::parse(text) {
            None => {
                c.fail(
                    field,
                    format!("expected a quarter such as \"2011Q3\", found \"{text}\""),
                );
                0
            }
            Some(q) => {
                let idx = start.quarters_until(q);
                if idx < 0 || idx >= n_quarters as i64 {
                    c.fail(
                        field,
                        format!(
                            "must fall within the scenario, {start} to {}, found {q}",
                            start.plus(n_quarters - 1)
                        ),
                    );
                    0
                } else {
                    idx as u32
                }
            }
        }
    };

    // Market.
    let m = &file.market;
    if m.segments.is_empty() {
        c.fail("market.segments", "must list at least one segment");
    }
    let mut names = BTreeSet::new();
    for (i, s) in m.segments.iter().enumerate() {
        let f = |name: &str| format!("market.segments[{i}].{name}");
        c.name(&f("name"), &s.name);
        if !names.insert(s.name.as_str()) {
            c.fail(f("name"), format!("segment \"{}\" is listed twice", s.name));
        }
        c.positive(&f("potential"), s.potential);
        c.range(&f("adopters"), s.adopters, 0.0, s.potential.max(0.0));
        c.range(&f("growth"), s.growth, -0.5, 1.0);
        c.range(&f("bass_p"), s.bass_p, 0.0, 1.0);
        c.range(&f("bass_q"), s.bass_q, 0.0, 2.0);
        c.range(&f("replacement_quarters"), s.replacement_quarters, 0.0, 100.0);
        c.positive(&f("ref_price"), s.ref_price);
        c.positive(&f("ref_perf"), s.ref_perf);
        c.positive(&f("price_sensitivity"), s.price_sensitivity);
        c.range(&f("perf_sensitivity"), s.perf_sensitivity, 0.0, 100.0);
        check_shares(&mut c, &f("reach"), s.reach.iter());
    }
    let d = &m.demand;
    c.range("market.demand.trust_weight", d.trust_weight, 0.0, 100.0);
    c.range("market.demand.defect_weight", d.defect_weight, 0.0, 1000.0);
    if !d.nest_lambda.is_finite() || d.nest_lambda <= 0.0 || d.nest_lambda > 1.0 {
        c.fail(
            "market.demand.nest_lambda",
            format!("must be > 0 and at most 1, found {}", d.nest_lambda),
        );
    }
    c.range("market.demand.outside_utility", d.outside_utility, -50.0, 50.0);
    c.range("market.demand.noise_sigma", d.noise_sigma, 0.0, 1.0);
    let a = &m.awareness;
    c.range("market.awareness.p_base", a.p_base, 0.0, 1.0);
    c.range("market.awareness.p_paid", a.p_paid, 0.0, 1.0);
    c.non_negative("market.awareness.paid_half", a.paid_half);
    c.range("market.awareness.p_presence", a.p_presence, 0.0, 1.0);
    c.range("market.awareness.q_base", a.q_base, 0.0, 2.0);
    c.range("market.awareness.q_community", a.q_community, 0.0, 100.0);
    c.non_negative("market.awareness.community_half", a.community_half);
    c.positive("market.traffic.index_start", m.traffic.index_start);
    c.range("market.traffic.index_growth", m.traffic.index_growth, -0.5, 1.0);

    // Costs, quality, channels, services, trust, finance, cap.
    let k = &file.costs;
    if !k.learning_rate.is_finite() || k.learning_rate <= 0.0 || k.learning_rate > 1.0 {
        c.fail(
            "costs.learning_rate",
            format!("must be > 0 and at most 1, found {}", k.learning_rate),
        );
    }
    c.positive("costs.ref_units", k.ref_units);
    if !k.component_drift.is_finite() || k.component_drift <= 0.0 || k.component_drift > 2.0 {
        c.fail(
            "costs.component_drift",
            format!("must be > 0 and at most 2, found {}", k.component_drift),
        );
    }
    let q = &file.quality;
    c.range("quality.k", q.k, 0.0, 1000.0);
    c.range("quality.safe_cut_base", q.safe_cut_base, 0.0, 0.5);
    c.range("quality.safe_cut_gain", q.safe_cut_gain, 0.0, 0.5);
    c.non_negative("quality.mitigation_scale", q.mitigation_scale);
    if !q.veto_threshold.is_finite() || q.veto_threshold <= 0.0 || q.veto_threshold > 1.0 {
        c.fail(
            "quality.veto_threshold",
            format!("must be > 0 and at most 1, found {}", q.veto_threshold),
        );
    }
    c.non_negative("quality.repair_cost", q.repair_cost);
    for ch in Channel::ALL {
        let p = &file.channels[ch];
        let f = |name: &str| format!("channels.{ch}.{name}");
        c.non_negative(&f("fulfilment_per_unit"), p.fulfilment_per_unit);
        c.range(&f("commission"), p.commission, 0.0, 1.0);
        c.non_negative(&f("traffic_per_order"), p.traffic_per_order);
        c.non_negative(&f("store_cost"), p.store_cost);
        c.non_negative(&f("store_opening_cost"), p.store_opening_cost);
        c.non_negative(&f("stores_full_coverage"), p.stores_full_coverage);
        c.range(&f("min_stock_weeks"), p.min_stock_weeks, 0.0, 13.0);
        c.range(&f("full_coverage_margin"), p.full_coverage_margin, 0.0, 0.5);
    }
    let s = &file.services;
    c.range("services.attach_rate", s.attach_rate, 0.0, 10.0);
    c.range("services.churn_base", s.churn_base, 0.0, 1.0);
    c.range("services.churn_monetisation", s.churn_monetisation, 0.0, 1.0);
    c.non_negative("services.arpu_base", s.arpu_base);
    c.non_negative("services.arpu_monetisation", s.arpu_monetisation);
    c.range("services.gross_margin", s.gross_margin, 0.0, 1.0);
    let t = &file.trust;
    for (name, v) in [
        ("value_gain", t.value_gain),
        ("defect_loss", t.defect_loss),
        ("stockout_loss", t.stockout_loss),
        ("monetisation_loss", t.monetisation_loss),
        ("rebate_gain", t.rebate_gain),
        ("excess_margin_loss", t.excess_margin_loss),
        ("community_gain", t.community_gain),
    ] {
        c.range(&format!("trust.{name}"), v, 0.0, 100.0);
    }
    c.range("trust.defect_norm", t.defect_norm, 0.0, 1.0);
    c.range("trust.monetisation_tolerance", t.monetisation_tolerance, 0.0, 1.0);
    c.range("trust.reversion", t.reversion, 0.0, 1.0);
    c.range("trust.anchor", t.anchor, 0.0, 1.0);
    let fin = &file.finance;
    c.non_negative("finance.credit_line", fin.credit_line);
    c.non_negative("finance.overhead", fin.overhead);
    c.range("finance.rnd_decay", fin.rnd_decay, 0.0, 1.0);
    c.range("finance.rnd_perf_gain", fin.rnd_perf_gain, 0.0, 10.0);
    c.non_negative("finance.rnd_half", fin.rnd_half);
    c.range("finance.max_dealer_margin", fin.max_dealer_margin, 0.0, 0.5);
    if fin.max_stores > 1_000_000 {
        c.fail(
            "finance.max_stores",
            format!("must be at most 1000000, found {}", fin.max_stores),
        );
    }
    c.range("cap.level", file.cap.level, 0.0, 1.0);

    // Catalogue and companies.
    let segment_index = |name: &str| m.segments.iter().position(|s| s.name == name);
    let sku_spec = |c: &mut Checker, field: &str, sku: &SkuFile| -> Arc<SkuSpec> {
        c.name(&format!("{field}.id"), &sku.id);
        if decisions::RESERVED_NAMES.contains(&sku.id.as_str()) {
            c.fail(
                format!("{field}.id"),
                format!("\"{}\" is the name of a decision; choose another SKU id", sku.id),
            );
        }
        c.text(&format!("{field}.name"), &sku.name);
        let segment = segment_index(&sku.segment).unwrap_or_else(|| {
            c.fail(
                format!("{field}.segment"),
                format!("no segment named \"{}\" in market.segments", sku.segment),
            );
            0
        });
        c.positive(&format!("{field}.perf"), sku.perf);
        c.positive(&format!("{field}.bom"), sku.bom);
        c.range(&format!("{field}.base_defect"), sku.base_defect, 0.0, 0.99);
        if sku.lead_time > 20 {
            c.fail(
                format!("{field}.lead_time"),
                format!("must be at most 20 quarters, found {}", sku.lead_time),
            );
        }
        c.non_negative(&format!("{field}.launch_cost"), sku.launch_cost);
        c.range(
            &format!("{field}.list_price"),
            sku.list_price,
            f64::MIN_POSITIVE,
            decisions::MAX_PRICE,
        );
        Arc::new(SkuSpec {
            id: sku.id.clone(),
            name: sku.name.clone(),
            segment,
            perf: sku.perf,
            bom: sku.bom,
            base_defect: sku.base_defect,
            lead_time: sku.lead_time,
            launch_cost: sku.launch_cost,
            list_price: sku.list_price,
            cum_units: sku.cum_units,
        })
    };
    let mut catalogue = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, sku) in file.catalogue.iter().enumerate() {
        if !ids.insert(sku.id.as_str()) {
            c.fail(
                format!("catalogue[{i}].id"),
                format!("SKU \"{}\" is listed twice", sku.id),
            );
        }
        catalogue.push(sku_spec(&mut c, &format!("catalogue[{i}]"), sku));
    }
    if file.companies.is_empty() {
        c.fail("companies", "must list at least one company");
    }
    if !file.companies.iter().any(|co| co.player) {
        c.fail("companies", "must include a player company (player: true)");
    }
    let mut companies = Vec::new();
    let mut company_names = BTreeSet::new();
    for (i, co) in file.companies.iter().enumerate() {
        let f = |name: &str| format!("companies[{i}].{name}");
        c.text(&f("name"), &co.name);
        if !company_names.insert(co.name.as_str()) {
            c.fail(f("name"), format!("company \"{}\" is listed twice", co.name));
        }
        match (co.player, &co.policy) {
            (true, Some(_)) => c.fail(
                f("policy"),
                "a player company has no policy; remove it or set player: false",
            ),
            (false, None) => c.fail(
                f("policy"),
                "a computer-run company needs a policy (PriceFollower, Undercutter, PremiumBrand or Copycat)",
            ),
            _ => {}
        }
        match &co.policy {
            Some(RivalPolicy::PriceFollower { speed }) => c.range(&f("policy.speed"), *speed, 0.0, 1.0),
            Some(RivalPolicy::Undercutter { pct, target }) => {
                c.range(&f("policy.pct"), *pct, 0.0, 0.9);
                let exists =
                    file.companies.iter().filter(|o| o.player).any(|o| {
                        o.skus.iter().any(|s| &s.id == target) || file.catalogue.iter().any(|s| &s.id == target)
                    });
                if !exists {
                    c.fail(f("policy.target"), format!("no player SKU named \"{target}\""));
                }
            }
            Some(RivalPolicy::Copycat {
                lag,
                perf_factor,
                price_factor,
                bom_factor,
            }) => {
                if *lag > 40 {
                    c.fail(f("policy.lag"), format!("must be at most 40 quarters, found {lag}"));
                }
                c.range(&f("policy.perf_factor"), *perf_factor, 0.01, 10.0);
                c.range(&f("policy.price_factor"), *price_factor, 0.01, 10.0);
                c.range(&f("policy.bom_factor"), *bom_factor, 0.01, 10.0);
            }
            Some(RivalPolicy::PremiumBrand) | None => {}
        }
        c.finite(&f("cash"), co.cash);
        c.range(&f("trust"), co.trust, 0.0, 1.0);
        if co.capacity == 0 || co.capacity > 1_000_000_000_000 {
            c.fail(
                f("capacity"),
                format!("must be between 1 and 1000000000000, found {}", co.capacity),
            );
        }
        c.range(&f("awareness"), co.awareness, 0.0, 1.0);
        c.range(&f("active_users"), co.active_users, 0.0, 1e12);
        let mut own_ids = BTreeSet::new();
        let mut skus = Vec::new();
        for (j, sku) in co.skus.iter().enumerate() {
            if !own_ids.insert(sku.id.as_str()) {
                c.fail(
                    f(&format!("skus[{j}].id")),
                    format!("SKU \"{}\" is listed twice", sku.id),
                );
            }
            skus.push(sku_spec(&mut c, &f(&format!("skus[{j}]")), sku));
        }
        companies.push(CompanySpec {
            name: co.name.clone(),
            is_player: co.player,
            policy: co.policy.clone(),
            cash: co.cash,
            trust: co.trust,
            capacity: co.capacity,
            awareness: vec![co.awareness.clamp(0.0, 1.0); m.segments.len()],
            active_users: co.active_users,
            stores: co.stores,
            skus,
            opening: co.opening.clone(),
        });
    }

    // Events.
    let mut events = Vec::new();
    for (i, e) in file.events.iter().enumerate() {
        let f = |name: &str| format!("events[{i}].{name}");
        let idx = quarter_idx(&mut c, &f("quarter"), &e.quarter);
        c.text(&f("event.title"), &e.event.title);
        c.text(&f("event.description"), &e.event.description);
        check_event(&mut c, &f("event.kind"), &e.event.kind, file);
        events.push(ScheduledEvent {
            quarter_idx: idx,
            event: e.event.clone(),
        });
    }

    // Objectives and scorecard.
    let mut objectives = Vec::new();
    for (i, o) in file.objectives.iter().enumerate() {
        let f = |name: &str| format!("objectives[{i}].{name}");
        c.name(&f("id"), &o.id);
        c.text(&f("text"), &o.text);
        let metric = MetricSpec::parse(&o.metric).map_err(|e| c.fail(f("metric"), e)).ok();
        let (comparison, target) = match (o.at_least, o.at_most) {
            (Some(t), None) => (Comparison::AtLeast, t),
            (None, Some(t)) => (Comparison::AtMost, t),
            _ => {
                c.fail(f("at_least"), "give exactly one of at_least or at_most");
                (Comparison::AtLeast, 0.0)
            }
        };
        c.finite(&f(if o.at_least.is_some() { "at_least" } else { "at_most" }), target);
        let deadline_idx = quarter_idx(&mut c, &f("by"), &o.by);
        if let Some(metric) = metric {
            objectives.push(Objective {
                id: o.id.clone(),
                text: o.text.clone(),
                metric,
                comparison,
                target,
                deadline_idx,
            });
        }
    }
    let mut calibration = Vec::new();
    for (i, k) in file.calibration.iter().enumerate() {
        let f = |name: &str| format!("calibration[{i}].{name}");
        c.text(&f("figure"), &k.figure);
        let metric = MetricSpec::parse(&k.metric).map_err(|e| c.fail(f("metric"), e)).ok();
        c.finite(&f("target"), k.target);
        c.range(&f("tolerance"), k.tolerance, 0.0, 1.0);
        if let Some(metric) = metric {
            calibration.push(Calibration {
                figure: k.figure.clone(),
                metric,
                target: k.target,
                tolerance: k.tolerance,
            });
        }
    }
    let sc = &file.scorecard;
    for (name, w) in [
        ("profit_weight", sc.profit_weight),
        ("trust_weight", sc.trust_weight),
        ("users_weight", sc.users_weight),
        ("roi_weight", sc.roi_weight),
        ("cap_weight", sc.cap_weight),
        ("objectives_weight", sc.objectives_weight),
    ] {
        c.range(&format!("scorecard.{name}"), w, 0.0, 100.0);
    }
    let weight_sum =
        sc.profit_weight + sc.trust_weight + sc.users_weight + sc.roi_weight + sc.cap_weight + sc.objectives_weight;
    if weight_sum.is_finite() && weight_sum <= 0.0 {
        c.fail("scorecard", "the weights must not all be 0");
    }
    c.positive("scorecard.profit_target", sc.profit_target);
    c.positive("scorecard.users_target", sc.users_target);
    c.positive("scorecard.roi_target", sc.roi_target);
    if file.reference.len() > n_quarters as usize {
        c.fail(
            format!("reference[{n_quarters}]"),
            format!(
                "the scenario has {n_quarters} quarters, the reference log {}",
                file.reference.len()
            ),
        );
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }

    let scenario = Scenario {
        id: file.id.clone(),
        title: file.title.clone(),
        pitch: file.pitch.clone(),
        briefing: file.briefing.clone(),
        start,
        n_quarters,
        currency: file.currency.clone(),
        market: Market {
            segments: m.segments.clone(),
            demand: m.demand,
            awareness: m.awareness,
            traffic: m.traffic,
        },
        costs: file.costs,
        quality: file.quality,
        channels: file.channels,
        services: file.services,
        trust: file.trust,
        finance: file.finance,
        cap: file.cap,
        catalogue,
        companies,
        events,
        objectives,
        calibration,
        scorecard: file.scorecard,
        reference: file.reference.clone(),
    };

    // Opening decisions, checked by the same rules as every quarter's.
    let scenario = Arc::new(scenario);
    let world = World::new(scenario.clone(), 0);
    for (i, company) in world.companies.iter().enumerate() {
        let ctx = ValidationContext {
            capacity: company.capacity,
            max_stores: scenario.finance.max_stores,
            max_dealer_margin: scenario.finance.max_dealer_margin,
            catalogue_lead_time: &|id| scenario.catalogue_sku(id).map(|s| s.lead_time),
            quarter_idx: 0,
        };
        for p in decisions::problems(company, &company.last_decisions, &ctx) {
            c.fail(format!("companies[{i}].opening.{}", p.entry_path()), p.message);
        }
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    // The reference log must be playable from start to end (seed 0).
    let n_players = scenario.companies.iter().filter(|co| co.is_player).count();
    let mut policy = LogPolicy::new(scenario.reference.clone());
    let mut world = World::new(scenario.clone(), 0);
    while !world.is_finished() {
        let players = world
            .companies
            .iter()
            .enumerate()
            .filter(|(_, co)| co.is_player)
            .map(|(idx, _)| policy.decide(&world, idx))
            .collect::<Vec<_>>();
        debug_assert_eq!(players.len(), n_players);
        match crate::sim::step(&world, &crate::sim::Decisions { players }) {
            Ok((next, _)) => world = next,
            Err(e) => {
                for p in &e.problems {
                    c.fail(
                        format!("reference[{}].{}", world.quarter_idx, p.entry_path()),
                        p.message.clone(),
                    );
                }
                break;
            }
        }
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    Ok(Arc::try_unwrap(scenario).unwrap_or_else(|arc| (*arc).clone()))
}

fn check_shares<'a>(c: &mut Checker, field: &str, shares: impl Iterator<Item = (Channel, f64)> + 'a) {
    let mut sum = 0.0;
    for (ch, v) in shares {
        c.range(&format!("{field}.{ch}"), v, 0.0, 1.0);
        sum += v;
    }
    if sum.is_finite() && (sum - 1.0).abs() > 1e-9 {
        c.fail(
            field,
            format!("shares must sum to 1, found {}", (sum * 1e9).round() / 1e9),
        );
    }
}

fn check_event(c: &mut Checker, field: &str, kind: &EventKind, file: &ScenarioFile) {
    match kind {
        EventKind::SupplyShock {
            capacity_factor,
            cost_factor,
        } => {
            c.range(&format!("{field}.capacity_factor"), *capacity_factor, 0.0, 10.0);
            c.range(&format!("{field}.cost_factor"), *cost_factor, 0.01, 10.0);
        }
        EventKind::RivalPriceCut { company, pct } => {
            match file.companies.iter().find(|co| &co.name == company) {
                None => c.fail(format!("{field}.company"), format!("no company named \"{company}\"")),
                Some(co) if co.player => c.fail(
                    format!("{field}.company"),
                    format!("\"{company}\" is a player company; name a computer-run rival"),
                ),
                Some(_) => {}
            }
            c.range(&format!("{field}.pct"), *pct, 0.0, 0.9);
        }
        EventKind::TrafficCostSpike { factor } => c.range(&format!("{field}.factor"), *factor, 0.01, 100.0),
        EventKind::BetterChipset { perf_gain } => c.range(&format!("{field}.perf_gain"), *perf_gain, -0.5, 5.0),
        EventKind::DemandShock { segment, factor } => {
            if let Some(name) = segment
                && !file.market.segments.iter().any(|s| &s.name == name)
            {
                c.fail(format!("{field}.segment"), format!("no segment named \"{name}\""));
            }
            c.range(&format!("{field}.factor"), *factor, 0.0, 10.0);
        }
        EventKind::Regulation {
            commission_delta,
            dealer_margin_max,
        } => {
            c.range(&format!("{field}.commission_delta"), *commission_delta, -1.0, 1.0);
            if let Some(max) = dealer_margin_max {
                c.range(&format!("{field}.dealer_margin_max"), *max, 0.0, 0.5);
            }
        }
    }
}
