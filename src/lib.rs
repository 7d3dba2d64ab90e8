//! Thin Margin: a case-study simulation of a consumer-hardware product line.
//!
//! Modules in reading order: [`sim`] the pure economic model, [`scenario`] the RON
//! scenario files and their validation, [`save`] decision logs, [`report`] what the
//! screens and tools derive from reports, [`cli`] the command-line front end.

pub mod analysis;
pub mod chart;
pub mod cli;
#[cfg(feature = "gui")]
pub mod game;
pub mod report;
pub mod save;
pub mod scenario;
pub mod sim;
pub mod workshop;
