//! Analysis over many runs of the core: pure functions (no Bevy, no I/O) that the CLI,
//! the tests and the game share. [`balance`] plays a scenario with many strategies and
//! reports who wins.

pub mod balance;
