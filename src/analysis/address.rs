//! What a sweep can vary: a decision in the player's plan or a scenario parameter,
//! named by a dotted address.
//!
//! **Decisions** (the plan is a decision log; a value set in quarter N carries over to
//! later quarters until the log changes it again, like any log entry):
//! - `qN.<sku>.price|bom_cut|mitigation|production` — one SKU in quarter N (1-based);
//! - `qN.channels.<channel>` — that channel's share of supply; the other channels keep
//!   their proportions and fill the rest, so the shares still sum to 1;
//! - `qN.stores|dealer_margin|community|paid_traffic|monetisation|rnd`;
//! - `all.…` instead of `qN.…` sets the value in every quarter.
//!
//! **Scenario parameters**: `market.<segment>.<field>` (e.g.
//! `market.premium.price_sensitivity`), `channels.<channel>.<field>`, and
//! `demand|awareness|traffic|costs|quality|services|trust|finance|cap.<field>`. Any
//! numeric field of the scenario file's sections can be named; setting one goes
//! through the same serde types the file is read with, so a name that does not exist
//! is refused with the closest valid names.

use crate::sim::channel_map::{Channel, ChannelMap};
use crate::sim::decisions::{CompanyDecisions, PartialDecisions};
use crate::sim::strategies::list_price;
use crate::sim::{Scenario, World};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A parsed address.
#[derive(Clone, Debug, PartialEq)]
pub enum Address {
    Decision {
        quarters: Quarters,
        target: DecisionTarget,
    },
    Scenario {
        section: String,
        key: Option<String>,
        field: String,
    },
}

/// Which quarters of the plan a decision address sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quarters {
    One(usize),
    All,
}

/// The decision a decision address sets.
#[derive(Clone, Debug, PartialEq)]
pub enum DecisionTarget {
    Sku { sku: String, field: SkuField },
    Channel(Channel),
    Company(CompanyField),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SkuField {
    Price,
    BomCut,
    Mitigation,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CompanyField {
    Stores,
    DealerMargin,
    Community,
    PaidTraffic,
    Monetisation,
    Rnd,
}

const SKU_FIELDS: [(&str, SkuField); 4] = [
    ("price", SkuField::Price),
    ("bom_cut", SkuField::BomCut),
    ("mitigation", SkuField::Mitigation),
    ("production", SkuField::Production),
];
const COMPANY_FIELDS: [(&str, CompanyField); 6] = [
    ("stores", CompanyField::Stores),
    ("dealer_margin", CompanyField::DealerMargin),
    ("community", CompanyField::Community),
    ("paid_traffic", CompanyField::PaidTraffic),
    ("monetisation", CompanyField::Monetisation),
    ("rnd", CompanyField::Rnd),
];
const SECTIONS: [&str; 9] = [
    "demand",
    "awareness",
    "traffic",
    "costs",
    "quality",
    "services",
    "trust",
    "finance",
    "cap",
];

/// Up to three names from `candidates` closest to `wanted`, for "did you mean".
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
}

fn unknown(what: &str, wanted: &str, candidates: Vec<String>) -> String {
    let near = closest(wanted, candidates.iter().map(String::as_str));
    format!("unknown {what} \"{wanted}\": did you mean {}?", near.join(", "))
}

/// Every address the scenario accepts, for messages and for the game's pickers.
pub fn all_addresses(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let player_skus = player_sku_ids(scenario);
    for sku in &player_skus {
        for (f, _) in SKU_FIELDS {
            out.push(format!("all.{sku}.{f}"));
        }
    }
    for ch in Channel::ALL {
        out.push(format!("all.channels.{}", ch.key()));
    }
    for (f, _) in COMPANY_FIELDS {
        out.push(format!("all.{f}"));
    }
    for seg in &scenario.market.segments {
        for f in numeric_fields(&seg.clone()) {
            out.push(format!("market.{}.{f}", seg.name));
        }
    }
    for ch in Channel::ALL {
        for f in numeric_fields(&scenario.channels[ch]) {
            out.push(format!("channels.{}.{f}", ch.key()));
        }
    }
    for section in SECTIONS {
        if let Some(v) = section_value(scenario, section) {
            for f in numeric_keys(&v) {
                out.push(format!("{section}.{f}"));
            }
        }
    }
    out
}

fn player_sku_ids(scenario: &Scenario) -> Vec<String> {
    let mut ids: Vec<String> = scenario
        .first_player()
        .map(|p| scenario.companies[p].skus.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    ids.extend(scenario.catalogue.iter().map(|s| s.id.clone()));
    ids
}

fn numeric_keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| v.is_number())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn numeric_fields<T: Serialize>(t: &T) -> Vec<String> {
    serde_json::to_value(t).map(|v| numeric_keys(&v)).unwrap_or_default()
}

fn section_value(s: &Scenario, section: &str) -> Option<Value> {
    let v = match section {
        "demand" => serde_json::to_value(s.market.demand),
        "awareness" => serde_json::to_value(s.market.awareness),
        "traffic" => serde_json::to_value(s.market.traffic),
        "costs" => serde_json::to_value(s.costs),
        "quality" => serde_json::to_value(s.quality),
        "services" => serde_json::to_value(s.services),
        "trust" => serde_json::to_value(s.trust),
        "finance" => serde_json::to_value(s.finance),
        "cap" => serde_json::to_value(s.cap),
        _ => return None,
    };
    v.ok()
}

impl Address {
    /// Parses and checks an address against the scenario (SKU, segment and field names).
    pub fn parse(text: &str, scenario: &Scenario) -> Result<Address, String> {
        let parts: Vec<&str> = text.split('.').collect();
        let head = parts.first().copied().unwrap_or("");
        let quarters = if head == "all" {
            Some(Quarters::All)
        } else if let Some(n) = head.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()) {
            if n == 0 || n > scenario.n_quarters as usize {
                return Err(format!(
                    "\"{text}\": quarter q{n} is outside the scenario's q1..q{}",
                    scenario.n_quarters
                ));
            }
            Some(Quarters::One(n - 1))
        } else {
            None
        };
        if let Some(quarters) = quarters {
            let target = match parts[1..] {
                ["channels", ch] => DecisionTarget::Channel(Channel::from_key(ch).ok_or_else(|| {
                    unknown(
                        "channel",
                        ch,
                        Channel::ALL.iter().map(|c| c.key().to_string()).collect(),
                    )
                })?),
                [field] => DecisionTarget::Company(
                    COMPANY_FIELDS
                        .iter()
                        .find(|(n, _)| *n == field)
                        .map(|(_, f)| *f)
                        .ok_or_else(|| {
                            unknown(
                                "decision",
                                field,
                                COMPANY_FIELDS.iter().map(|(n, _)| n.to_string()).collect(),
                            )
                        })?,
                ),
                [sku, field] => {
                    let ids = player_sku_ids(scenario);
                    if !ids.iter().any(|i| i == sku) {
                        return Err(unknown("SKU", sku, ids));
                    }
                    let field = SKU_FIELDS
                        .iter()
                        .find(|(n, _)| *n == field)
                        .map(|(_, f)| *f)
                        .ok_or_else(|| {
                            unknown(
                                "SKU decision",
                                field,
                                SKU_FIELDS.iter().map(|(n, _)| n.to_string()).collect(),
                            )
                        })?;
                    DecisionTarget::Sku {
                        sku: sku.to_string(),
                        field,
                    }
                }
                _ => {
                    return Err(format!(
                        "\"{text}\": a decision is qN.<sku>.<field>, qN.channels.<channel> or qN.<field> (or all. instead of qN.)"
                    ));
                }
            };
            return Ok(Address::Decision { quarters, target });
        }
        let address = match parts[..] {
            ["market", segment, field] => Address::Scenario {
                section: "market".into(),
                key: Some(segment.to_string()),
                field: field.to_string(),
            },
            ["channels", ch, field] => Address::Scenario {
                section: "channels".into(),
                key: Some(ch.to_string()),
                field: field.to_string(),
            },
            [section, field] => Address::Scenario {
                section: section.to_string(),
                key: None,
                field: field.to_string(),
            },
            _ => return Err(unknown("parameter", text, all_addresses(scenario))),
        };
        // Check by setting the current value: every name is then known to exist.
        let current = address.current(scenario, &[])?;
        address.apply_scenario(scenario, current)?;
        Ok(address)
    }

    /// The address's value in the scenario (scenario parameters) or in the plan's
    /// first quarter it sets (decisions), for a default range and for reporting.
    pub fn current(&self, scenario: &Scenario, plan: &[PartialDecisions]) -> Result<f64, String> {
        match self {
            Address::Scenario { section, key, field } => {
                let v = scenario_value(scenario, section, key.as_deref())?;
                v.get(field).and_then(Value::as_f64).ok_or_else(|| {
                    unknown(
                        &format!(
                            "field of {section}{}",
                            key.as_ref().map(|k| format!(".{k}")).unwrap_or_default()
                        ),
                        field,
                        numeric_keys(&v),
                    )
                })
            }
            Address::Decision { quarters, target } => {
                let q = match quarters {
                    Quarters::One(q) => *q,
                    Quarters::All => 0,
                };
                let d = effective_decisions(scenario, plan, q);
                Ok(read_decision(&d, target))
            }
        }
    }

    /// The scenario with this parameter set to `value` (decision addresses leave it as is).
    pub fn apply_scenario(&self, scenario: &Scenario, value: f64) -> Result<Scenario, String> {
        let Address::Scenario { section, key, field } = self else {
            return Ok(scenario.clone());
        };
        if !value.is_finite() {
            return Err(format!("{section}.{field}: {value} is not a finite number"));
        }
        let mut s = scenario.clone();
        let set = |v: &mut Value| -> Result<(), String> {
            match v.get_mut(field.as_str()) {
                Some(slot) if slot.is_number() => {
                    *slot = serde_json::json!(value);
                    Ok(())
                }
                _ => Err(unknown("field", field, numeric_keys(v))),
            }
        };
        match (section.as_str(), key.as_deref()) {
            ("market", Some(seg)) => {
                let names: Vec<String> = s.market.segments.iter().map(|g| g.name.clone()).collect();
                let Some(segment) = s.market.segments.iter_mut().find(|g| g.name == seg) else {
                    return Err(unknown("segment", seg, names));
                };
                *segment = patched(segment, set)?;
            }
            ("channels", Some(ch)) => {
                let channel = Channel::from_key(ch).ok_or_else(|| {
                    unknown(
                        "channel",
                        ch,
                        Channel::ALL.iter().map(|c| c.key().to_string()).collect(),
                    )
                })?;
                s.channels[channel] = patched(&s.channels[channel], set)?;
            }
            ("demand", None) => s.market.demand = patched(&s.market.demand, set)?,
            ("awareness", None) => s.market.awareness = patched(&s.market.awareness, set)?,
            ("traffic", None) => s.market.traffic = patched(&s.market.traffic, set)?,
            ("costs", None) => s.costs = patched(&s.costs, set)?,
            ("quality", None) => s.quality = patched(&s.quality, set)?,
            ("services", None) => s.services = patched(&s.services, set)?,
            ("trust", None) => s.trust = patched(&s.trust, set)?,
            ("finance", None) => s.finance = patched(&s.finance, set)?,
            ("cap", None) => s.cap = patched(&s.cap, set)?,
            _ => {
                let mut sections: Vec<String> = SECTIONS.iter().map(|x| x.to_string()).collect();
                sections.extend(["market".to_string(), "channels".to_string()]);
                return Err(unknown("parameter section", section, sections));
            }
        }
        Ok(s)
    }

    /// The plan with this decision set to `value` (scenario addresses leave it as is).
    pub fn apply_plan(&self, scenario: &Scenario, plan: &[PartialDecisions], value: f64) -> Vec<PartialDecisions> {
        let Address::Decision { quarters, target } = self else {
            return plan.to_vec();
        };
        let n = scenario.n_quarters as usize;
        let mut out = plan.to_vec();
        out.resize(n.max(out.len()), PartialDecisions::default());
        let which: Vec<usize> = match quarters {
            Quarters::One(q) => vec![*q],
            Quarters::All => (0..n).collect(),
        };
        for q in which {
            let effective = effective_decisions(scenario, &out, q);
            let entry = &mut out[q];
            match target {
                DecisionTarget::Sku { sku, field } => {
                    let e = entry.skus.entry(sku.clone()).or_default();
                    match field {
                        SkuField::Price => e.price = Some(value),
                        SkuField::BomCut => e.bom_cut = Some(value),
                        SkuField::Mitigation => e.mitigation = Some(value),
                        SkuField::Production => e.production = Some(value.max(0.0).round() as u64),
                    }
                }
                DecisionTarget::Channel(ch) => {
                    entry.channels = Some(with_share(&effective.channels, *ch, value));
                }
                DecisionTarget::Company(field) => match field {
                    CompanyField::Stores => entry.stores = Some(value.max(0.0).round() as u32),
                    CompanyField::DealerMargin => entry.dealer_margin = Some(value),
                    CompanyField::Community => entry.community = Some(value),
                    CompanyField::PaidTraffic => entry.paid_traffic = Some(value),
                    CompanyField::Monetisation => entry.monetisation = Some(value),
                    CompanyField::Rnd => entry.rnd = Some(value),
                },
            }
        }
        out
    }
}

impl Address {
    /// Quarter `q`'s full decisions with this decision set to `value` in `plan` (the
    /// game's "apply": a value found by a sweep or goal seek written into the quarter
    /// being decided). Market parameters and other quarters' decisions are refused.
    pub fn applied(
        &self,
        scenario: &Scenario,
        plan: &[PartialDecisions],
        q: usize,
        value: f64,
    ) -> Result<CompanyDecisions, String> {
        match self {
            Address::Scenario { .. } => {
                Err("a market parameter is not yours to decide: only a decision can be applied".into())
            }
            Address::Decision {
                quarters: Quarters::One(k),
                ..
            } if *k != q => Err(format!(
                "this sets the decision in {}, not in {}, the quarter being decided",
                scenario.quarter_at(*k as u32),
                scenario.quarter_at(q as u32)
            )),
            Address::Decision { .. } => Ok(effective_decisions(
                scenario,
                &self.apply_plan(scenario, plan, value),
                q,
            )),
        }
    }
}

/// `t` after `set` changed one field of its JSON form.
fn patched<T: Serialize + DeserializeOwned>(
    t: &T,
    set: impl Fn(&mut Value) -> Result<(), String>,
) -> Result<T, String> {
    let mut v = serde_json::to_value(t).map_err(|e| e.to_string())?;
    set(&mut v)?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn scenario_value(s: &Scenario, section: &str, key: Option<&str>) -> Result<Value, String> {
    match (section, key) {
        ("market", Some(seg)) => s
            .market
            .segments
            .iter()
            .find(|g| g.name == seg)
            .map(|g| serde_json::to_value(g).unwrap_or_default())
            .ok_or_else(|| {
                unknown(
                    "segment",
                    seg,
                    s.market.segments.iter().map(|g| g.name.clone()).collect(),
                )
            }),
        ("channels", Some(ch)) => Channel::from_key(ch)
            .map(|c| serde_json::to_value(s.channels[c]).unwrap_or_default())
            .ok_or_else(|| {
                unknown(
                    "channel",
                    ch,
                    Channel::ALL.iter().map(|c| c.key().to_string()).collect(),
                )
            }),
        (section, None) => section_value(s, section).ok_or_else(|| {
            let mut sections: Vec<String> = SECTIONS.iter().map(|x| x.to_string()).collect();
            sections.extend(["market".to_string(), "channels".to_string()]);
            unknown("parameter section", section, sections)
        }),
        (section, Some(_)) => Err(format!("\"{section}\" takes no key")),
    }
}

/// The player's full decisions in quarter `q` of `plan` (carry-over from the opening).
pub fn effective_decisions(scenario: &Scenario, plan: &[PartialDecisions], q: usize) -> CompanyDecisions {
    let Some(player) = scenario.first_player() else {
        return CompanyDecisions {
            skus: Default::default(),
            launch: Vec::new(),
            retire: Vec::new(),
            channels: ChannelMap::default(),
            stores: 0,
            dealer_margin: 0.0,
            community: 0.0,
            paid_traffic: 0.0,
            monetisation: 0.0,
            rnd: 0.0,
        };
    };
    let world = World::new(std::sync::Arc::new(scenario.clone()), 0);
    let mut d = scenario.companies[player].opening.clone();
    for change in plan.iter().take(q + 1) {
        d = d.with(change, |id| list_price(&world, player, id));
    }
    d
}

fn read_decision(d: &CompanyDecisions, target: &DecisionTarget) -> f64 {
    match target {
        DecisionTarget::Sku { sku, field } => d.skus.get(sku).map_or(0.0, |s| match field {
            SkuField::Price => s.price,
            SkuField::BomCut => s.bom_cut,
            SkuField::Mitigation => s.mitigation,
            SkuField::Production => s.production as f64,
        }),
        DecisionTarget::Channel(ch) => d.channels[*ch],
        DecisionTarget::Company(field) => match field {
            CompanyField::Stores => f64::from(d.stores),
            CompanyField::DealerMargin => d.dealer_margin,
            CompanyField::Community => d.community,
            CompanyField::PaidTraffic => d.paid_traffic,
            CompanyField::Monetisation => d.monetisation,
            CompanyField::Rnd => d.rnd,
        },
    }
}

/// Channel shares with `ch` set to `share` (clamped to 0..1) and the others scaled to
/// fill the rest in their old proportions (online takes it all when they were all 0).
/// A share the channel already has leaves the mix exactly as it was, so a sweep's
/// point at the plan's own value replays the plan bit for bit.
pub fn with_share(old: &ChannelMap<f64>, ch: Channel, share: f64) -> ChannelMap<f64> {
    let share = share.clamp(0.0, 1.0);
    if old[ch].to_bits() == share.to_bits() {
        return *old;
    }
    let others: f64 = Channel::ALL.iter().filter(|c| **c != ch).map(|c| old[*c]).sum();
    let mut out = ChannelMap::from_fn(|c| {
        if c == ch {
            share
        } else if others > 0.0 {
            old[c] / others * (1.0 - share)
        } else if c == Channel::Online || (ch == Channel::Online && c == Channel::Platform) {
            1.0 - share
        } else {
            0.0
        }
    });
    // Put the rounding remainder on the channel that was set, so the sum is exact.
    let rest: f64 = Channel::ALL.iter().filter(|c| **c != ch).map(|c| out[*c]).sum();
    out[ch] = 1.0 - rest;
    out
}

impl Address {
    /// The scenario and plan with this address's value multiplied by `factor`: a
    /// scenario parameter once; a decision in every quarter it is set (each quarter's
    /// own value scaled, so a plan that changes over time keeps its shape). `all.`
    /// decisions scale every quarter; `qN.` ones only quarter N.
    pub fn scaled(
        &self,
        scenario: &Scenario,
        plan: &[PartialDecisions],
        factor: f64,
    ) -> Result<(Scenario, Vec<PartialDecisions>), String> {
        match self {
            Address::Scenario { .. } => {
                let v = self.current(scenario, plan)?;
                Ok((self.apply_scenario(scenario, v * factor)?, plan.to_vec()))
            }
            Address::Decision { quarters, target } => {
                let n = scenario.n_quarters as usize;
                let which: Vec<usize> = match quarters {
                    Quarters::One(q) => vec![*q],
                    Quarters::All => (0..n).collect(),
                };
                let mut out = plan.to_vec();
                for q in which {
                    let one = Address::Decision {
                        quarters: Quarters::One(q),
                        target: target.clone(),
                    };
                    let v = one.current(scenario, &out)?;
                    out = one.apply_plan(scenario, &out, v * factor);
                }
                Ok((scenario.clone(), out))
            }
        }
    }
}
