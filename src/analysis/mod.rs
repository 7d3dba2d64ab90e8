//! Analysis over many runs of the core: pure functions (no Bevy, no I/O) that the CLI,
//! the tests and the game share. [`balance`] plays a scenario with many strategies and
//! reports who wins; [`address`] names what a sweep can vary; [`sweep`] runs grids of
//! variants on common random numbers, and goal seek; [`sensitivity`] ranks every
//! parameter and decision by its effect (a tornado).

pub mod address;
pub mod balance;
pub mod challenge;
pub mod sensitivity;
pub mod sweep;
