//! What the game and the tools show about finished quarters and runs: pure functions
//! over the core's reports (no Bevy, no I/O).

pub mod cap_comparison;
pub mod format;
pub mod key_decisions;
pub mod profit_bridge;
pub mod replay;
pub mod slides;
