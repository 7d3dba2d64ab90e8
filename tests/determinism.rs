//! Same scenario + seed + decisions ⇒ identical JSON bytes, and a committed golden
//! SHA-256 of the first-phone reference run: any change to the model's numbers must
//! be a deliberate golden update (run with THIN_MARGIN_UPDATE_GOLDEN=1 to rewrite).

mod common;

use sha2::{Digest, Sha256};
use std::path::Path;
use thin_margin::cli::json;
use thin_margin::sim::run::run;
use thin_margin::sim::strategies::Strategy;

fn reference_json(id: &str, seed: u64) -> String {
    let scenario = common::scenario(id);
    let mut policies = vec![Strategy::Reference.policy(&scenario)];
    let output = run(scenario, seed, &mut policies, None).expect("the reference log is valid");
    json(&output).expect("serializable")
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn same_inputs_give_identical_bytes() {
    for id in ["tutorial", "first-phone"] {
        for seed in [0, 7, 12345] {
            assert_eq!(reference_json(id, seed), reference_json(id, seed), "{id} seed {seed}");
        }
    }
}

#[test]
fn seeds_matter() {
    assert_ne!(reference_json("first-phone", 1), reference_json("first-phone", 2));
}

#[test]
fn first_phone_reference_matches_golden_hash() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/first-phone-reference-seed7.sha256");
    let actual = sha256_hex(&reference_json("first-phone", 7));
    if std::env::var_os("THIN_MARGIN_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, format!("{actual}\n")).expect("write golden");
    }
    let expected = std::fs::read_to_string(&golden).expect("golden hash committed");
    assert_eq!(
        actual,
        expected.trim(),
        "the first-phone reference run changed; if deliberate, rerun with THIN_MARGIN_UPDATE_GOLDEN=1 and commit"
    );
}

#[test]
fn json_identities_hold_exactly_as_printed() {
    let text = reference_json("first-phone", 7);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(rows.len(), 4 * 8);
    for row in rows {
        let f = |k: &str| row[k].as_f64().unwrap_or_else(|| panic!("{k} missing"));
        assert_eq!(
            f("roi").to_bits(),
            ((f("gross_margin") - f("expense_ratio")) * f("turnover")).to_bits()
        );
        for ch in ["online", "own_retail", "platform", "dealer"] {
            let g = |k: &str| row[k][ch].as_f64().expect("channel value");
            let roi = (g("gross_margin_by_channel") - g("expense_ratio_by_channel")) * g("turnover_by_channel");
            assert_eq!(g("roi_by_channel").to_bits(), roi.to_bits());
        }
        let cash = f("cash_opening") + f("inflows") - f("outflows");
        assert!((f("cash") - cash).abs() <= 1e-6 * f("cash").abs().max(1.0));
        let u = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} is not a whole number"));
        assert_eq!(
            u("inventory_opening") + u("units_produced"),
            u("units_sold") + u("inventory_closing") + u("written_off")
        );
    }
}
