//! Runs as files: decision logs (what a player or a script decides, quarter by
//! quarter) and saves (a played run with its scenario's hash and seed, written
//! atomically, replayable to any quarter).

pub mod decision_log;
pub mod profile;
pub mod run_file;
pub mod session;

pub use decision_log::{DecisionLog, load_decision_log};
