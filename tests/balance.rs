//! The balance report: every shipped scenario is a real decision. No trivial extreme
//! (max price, zero marketing, max BOM cut) reaches the reference plan's mean score,
//! the naive strategies score below it, random players always make decisions the
//! model accepts, the report is reproducible, and `docs/balance.md` holds each
//! scenario's current figures.

mod common;

use std::path::Path;
use std::process::Command;
use thin_margin::analysis::balance::{BalanceOptions, Kind, balance, standard_contenders};

fn options(seeds: u32, random_players: u32) -> BalanceOptions {
    BalanceOptions {
        seeds,
        first_seed: 0,
        random_players,
    }
}

#[test]
fn no_trivial_extreme_or_naive_strategy_beats_the_reference() {
    for (_, s) in common::shipped_scenarios() {
        let report = balance(&s, &standard_contenders(), options(10, 0)).unwrap_or_else(|(n, e)| panic!("{n}: {e}"));
        assert!(
            report.dominating_trivial.is_empty(),
            "{}: trivial extremes reach the reference: {:?}",
            s.id,
            report.dominating_trivial
        );
        let reference = report
            .results
            .iter()
            .find(|r| r.kind == Kind::Reference)
            .expect("reference row");
        for r in report.results.iter().filter(|r| r.kind != Kind::Reference) {
            assert!(
                r.score_mean < reference.score_mean,
                "{}: {} scores {:.1}, the reference {:.1}",
                s.id,
                r.name,
                r.score_mean,
                reference.score_mean
            );
        }
    }
}

#[test]
fn random_players_make_only_valid_decisions_and_the_report_is_reproducible() {
    for (_, s) in common::shipped_scenarios() {
        let a = balance(&s, &[], options(5, 60)).unwrap_or_else(|(n, e)| panic!("{}: {n}: {e}", s.id));
        let b = balance(&s, &[], options(5, 60)).unwrap_or_else(|(n, e)| panic!("{}: {n}: {e}", s.id));
        assert_eq!(a, b, "{}: two balance reports differ", s.id);
        assert_eq!(a.runs, 60);
    }
}

#[test]
fn docs_balance_md_holds_every_scenarios_current_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/balance.md")).expect("docs/balance.md exists");
    let mut stale = Vec::new();
    for (_, s) in common::shipped_scenarios() {
        let out = Command::new(env!("CARGO_BIN_EXE_thin-margin"))
            .args(["balance", &s.id, "--format", "markdown"])
            .current_dir(root)
            .output()
            .expect("run thin-margin balance");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let section = String::from_utf8(out.stdout).expect("UTF-8");
        if !doc.contains(section.trim()) {
            stale.push(s.id.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/balance.md is out of date for {stale:?}: regenerate it with `bash docs/balance.sh`"
    );
}
