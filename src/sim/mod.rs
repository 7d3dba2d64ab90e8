//! The pure simulation core: MODEL.md as code.
//!
//! `step(&World, &Decisions) -> Result<(World, QuarterReport), DecisionError>`
//! resolves one quarter for every company in a market, in MODEL.md's fixed order:
//! 1 [`events`], 2 [`cost`], 3 [`quality`], 4 [`demand`], 5 [`channels`],
//! 6 [`finance`], 7 [`inventory`], 8 [`retail_roi`], 9 [`margin_cap`],
//! 10 [`services`], 11 [`trust`], 12 [`cash`] — each module owns one step and states
//! its formula. [`world`] holds the state, [`decisions`] what companies decide,
//! [`report`] what comes out, [`rng`] the one seeded generator, [`rivals`] the
//! computer-run companies' policies, [`strategies`] named ways to play, [`run`] the
//! whole-campaign loop, [`metric`] and [`score`] the objectives and scorecard.
//!
//! **Invariant:** this module knows nothing of Bevy, files, clocks or the network;
//! the same scenario, seed and decisions give bit-identical reports.

pub mod cash;
pub mod channel_map;
pub mod channels;
pub mod cost;
pub mod decisions;
pub mod demand;
pub mod events;
pub mod finance;
pub mod inventory;
pub mod margin_cap;
pub mod metric;
pub mod params;
pub mod preview;
pub mod quality;
pub mod report;
pub mod retail_roi;
pub mod rivals;
pub mod rng;
pub mod run;
pub mod score;
pub mod services;
pub mod step;
pub mod strategies;
pub mod time;
pub mod trust;
pub mod world;

pub use channel_map::{Channel, ChannelMap};
pub use decisions::{CompanyDecisions, DecisionError, PartialDecisions, SkuDecision};
pub use params::Scenario;
pub use report::{CompanyReport, QuarterReport};
pub use step::{Decisions, step};
pub use time::Quarter;
pub use world::World;
