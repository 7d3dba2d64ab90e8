//! The scenario file format (RON, `version: 1`): the types as written in
//! `scenarios/*.ron`. Names (segments, companies, SKUs) are strings here; the
//! validator resolves them into the core's [`crate::sim::params`]. Every struct
//! denies unknown fields, so a typo is an error, not a silent default.
//!
//! The types also serialize (for [`super::adjust`]): what is written parses back to
//! the same values. Fields left out of a file (no policy, no `at_most`, a log entry's
//! unchanged decisions) are left out when written, too.

use crate::sim::channel_map::ChannelMap;
use crate::sim::decisions::{CompanyDecisions, PartialDecisions};
use crate::sim::params::{
    AwarenessParams, CapParams, ChannelParams, CostParams, DemandParams, Event, FinanceParams, QualityParams,
    RivalPolicy, Scorecard, Segment, ServiceParams, TrafficParams, TrustParams,
};
use serde::{Deserialize, Serialize};

/// The version of the scenario format this build reads.
pub const SCENARIO_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct ScenarioFile {
    pub version: u32,
    pub id: String,
    pub title: String,
    /// One line: what the scenario is about.
    pub pitch: String,
    /// A few short paragraphs in our own words, with the case's figures.
    pub briefing: String,
    /// First quarter, e.g. "2011Q3".
    pub start: String,
    /// Number of quarters.
    pub quarters: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    pub market: MarketFile,
    pub costs: CostParams,
    pub quality: QualityParams,
    pub channels: ChannelMap<ChannelParams>,
    pub services: ServiceParams,
    pub trust: TrustParams,
    pub finance: FinanceParams,
    pub cap: CapParams,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogue: Vec<SkuFile>,
    pub companies: Vec<CompanyFile>,
    #[serde(default)]
    pub events: Vec<EventFile>,
    pub objectives: Vec<ObjectiveFile>,
    pub scorecard: Scorecard,
    /// The documents' figures the reference strategy must reproduce (a test checks each).
    #[serde(default)]
    pub calibration: Vec<CalibrationFile>,
    /// The player company's reference decision log, one entry per quarter.
    #[serde(serialize_with = "log_out::serialize")]
    pub reference: Vec<PartialDecisions>,
}

fn default_currency() -> String {
    "CNY".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketFile {
    pub segments: Vec<Segment>,
    pub demand: DemandParams,
    pub awareness: AwarenessParams,
    pub traffic: TrafficParams,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuFile {
    /// Short id used in decisions (`flagship`).
    pub id: String,
    pub name: String,
    /// Segment name.
    pub segment: String,
    pub perf: f64,
    pub bom: f64,
    pub base_defect: f64,
    #[serde(default)]
    pub lead_time: u32,
    #[serde(default)]
    pub launch_cost: f64,
    pub list_price: f64,
    /// Units made before the scenario starts (Wright's-law experience).
    #[serde(default)]
    pub cum_units: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyFile {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub player: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<RivalPolicy>,
    pub cash: f64,
    pub trust: f64,
    /// Most units of one SKU per quarter.
    pub capacity: u64,
    /// Starting awareness in every segment (0..1).
    pub awareness: f64,
    #[serde(default)]
    pub active_users: f64,
    #[serde(default)]
    pub stores: u32,
    pub skus: Vec<SkuFile>,
    pub opening: CompanyDecisions,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    /// Quarter it applies, e.g. "2012Q1".
    pub quarter: String,
    pub event: Event,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveFile {
    pub id: String,
    pub text: String,
    /// `field[.key][@aggregate]`, e.g. `units_sold@sum`.
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// Deadline quarter, e.g. "2013Q2".
    pub by: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// The documented figure, for people: "own stores at 17× inventory turnover".
    pub figure: String,
    /// `field[.key][@aggregate]`, e.g. `turnover_by_channel.own_retail@2021Q4`.
    pub metric: String,
    /// The documents' value.
    pub target: f64,
    /// Relative tolerance (0.10 = within ±10%).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
}

fn default_tolerance() -> f64 {
    0.10
}

/// Writes the reference log as people write it: each entry names only what changes
/// (no `None`s, no empty lists), which reads back to the same entries.
mod log_out {
    use crate::sim::channel_map::ChannelMap;
    use crate::sim::decisions::{PartialDecisions, PartialSkuDecision};
    use serde::{Serialize, Serializer};
    use std::collections::BTreeMap;

    pub(super) fn serialize<S: Serializer>(log: &[PartialDecisions], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(log.iter().map(Entry::from))
    }

    #[derive(Serialize)]
    struct Entry<'a> {
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        skus: BTreeMap<&'a str, SkuEntry>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        launch: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        retire: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        channels: Option<ChannelMap<f64>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        stores: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        dealer_margin: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        community: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        paid_traffic: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        monetisation: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rnd: Option<f64>,
    }

    #[derive(Serialize)]
    struct SkuEntry {
        #[serde(skip_serializing_if = "Option::is_none")]
        price: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        bom_cut: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        mitigation: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        production: Option<u64>,
    }

    impl<'a> From<&'a PartialDecisions> for Entry<'a> {
        fn from(d: &'a PartialDecisions) -> Entry<'a> {
            // Destructured in full: a new decision field must be written here too.
            let PartialDecisions {
                skus,
                launch,
                retire,
                channels,
                stores,
                dealer_margin,
                community,
                paid_traffic,
                monetisation,
                rnd,
            } = d;
            Entry {
                skus: skus
                    .iter()
                    .map(|(id, sku)| (id.as_str(), SkuEntry::from(sku)))
                    .collect(),
                launch,
                retire,
                channels: *channels,
                stores: *stores,
                dealer_margin: *dealer_margin,
                community: *community,
                paid_traffic: *paid_traffic,
                monetisation: *monetisation,
                rnd: *rnd,
            }
        }
    }

    impl From<&PartialSkuDecision> for SkuEntry {
        fn from(d: &PartialSkuDecision) -> SkuEntry {
            let PartialSkuDecision {
                price,
                bom_cut,
                mitigation,
                production,
            } = *d;
            SkuEntry {
                price,
                bom_cut,
                mitigation,
                production,
            }
        }
    }
}
