//! The one random-number generator of a run and the draws the model takes from it.
//!
//! `SimRng` is ChaCha8, seeded from the run's `u64` seed: portable and
//! reproducible across platforms (unlike `StdRng`). Uniforms use the top 53 bits of
//! one `u64`; normals use Box–Muller with `libm`'s `log`, `sqrt` and `cos`, so a
//! replay gives the same bits on any OS or CPU. Each quarter takes one `u64` from
//! the run's generator and derives a substream per SKU from it ([`substream`]), so
//! the same seed and decisions give the same numbers, and a variant that adds a SKU
//! leaves every other product's noise unchanged (common random numbers).

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The run's generator. Named for its algorithm so nobody swaps it silently.
pub type SimRng = ChaCha8Rng;

/// The generator of a run with this seed.
pub fn sim_rng(seed: u64) -> SimRng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A generator for one SKU's draws this quarter, from the quarter's key (one draw of
/// the run's generator) and the SKU's company and id. Each product gets its own
/// stream, so adding or removing a SKU does not shift any other product's noise:
/// variants of a decision compare on common random numbers.
pub fn substream(quarter_key: u64, company_idx: usize, sku_id: &str) -> SimRng {
    // FNV-1a over the company index and the SKU id: fixed, portable, no std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in (company_idx as u64).to_le_bytes().iter().chain(sku_id.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    sim_rng(quarter_key ^ hash)
}

/// The next `u64` of the run's generator.
pub fn next_key(rng: &mut SimRng) -> u64 {
    rng.next_u64()
}

/// A uniform draw in the open interval (0, 1).
pub fn uniform_open(rng: &mut SimRng) -> f64 {
    let bits = rng.next_u64() >> 11;
    (bits as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal draw (Box–Muller, cosine branch: one normal per two uniforms).
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    let u1 = uniform_open(rng);
    let u2 = uniform_open(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let mut a = sim_rng(7);
        let mut b = sim_rng(7);
        for _ in 0..100 {
            assert_eq!(standard_normal(&mut a).to_bits(), standard_normal(&mut b).to_bits());
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut rng = sim_rng(1);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
