//! Runs as files: decision logs now; saves (run + format version, atomic writes) later.

pub mod decision_log;

pub use decision_log::{DecisionLog, load_decision_log};
