//! Classroom workshops: many teams in one market (MODEL.md "Shared market").
//!
//! - [`market`] turns a scenario into a market for N teams (and computer-run seats).
//! - [`session`] is the workshop as a state machine that does no I/O: journal entries
//!   in, state out; the server persists each entry before it acknowledges it.
//! - [`chain`] is the round hash chain, the signed results file and `verify`.
//! - [`desk`] rebuilds a team's own market from its desk, to preview decisions.
//! - [`client`] (feature `client`) is a blocking HTTP client for the game.

pub mod brief;
pub mod chain;
#[cfg(feature = "client")]
pub mod client;
pub mod desk;
pub mod market;
#[cfg(feature = "postgres")]
pub mod pg_store;
pub mod protocol;
#[cfg(feature = "server")]
pub mod server;
pub mod session;
#[cfg(feature = "server")]
pub mod store;
