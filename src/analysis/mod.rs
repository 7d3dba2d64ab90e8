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

/// Nearest-rank percentile `p` (0..1) of sorted values; `None` when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}
