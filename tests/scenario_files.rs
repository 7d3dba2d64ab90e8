//! The shipped scenario files keep their promises: every model number carries its
//! provenance (`// source: seed` or `// assumed`), every file loads, and `check`
//! accepts the shipped decision logs.

mod common;

use std::path::Path;

/// Strips string literals so numbers inside briefings do not count.
fn without_strings(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_number_in_a_scenario_says_where_it_comes_from() {
    let mut missing = Vec::new();
    for (path, _) in common::shipped_scenarios() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut in_reference = false;
        for (idx, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("reference:") {
                // The reference log holds decisions, not model parameters.
                in_reference = true;
            }
            if in_reference || trimmed.starts_with("//") || trimmed.starts_with("version:") {
                continue;
            }
            let (code, comment) = match line.find("//") {
                Some(i) => (&line[..i], &line[i..]),
                None => (line, ""),
            };
            let has_number = without_strings(code).chars().any(|c| c.is_ascii_digit());
            if has_number && !(comment.contains("source: seed") || comment.contains("assumed")) {
                missing.push(format!("{}:{}: {}", path.display(), idx + 1, line.trim()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "numbers without `// source: seed` or `// assumed`:\n{}",
        missing.join("\n")
    );
}

#[test]
fn shipped_decision_logs_pass_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("decisions");
    for entry in std::fs::read_dir(dir).expect("decisions/ exists") {
        let path = entry.expect("entry").path();
        thin_margin::cli::check_file(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The campaign's unlock rules may name only earlier scenarios and scores from 0 to 100.
#[test]
fn campaign_unlock_rules_are_checked() {
    use thin_margin::scenario::campaign::load_campaign;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = load_campaign(&root.join("scenarios/campaign.ron")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        shipped.scenarios.len(),
        common::shipped_scenarios().len(),
        "every scenario is in the campaign"
    );
    let dir = std::env::temp_dir().join(format!("thin-margin-campaign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for id in ["tutorial", "first-phone"] {
        std::fs::copy(root.join(format!("scenarios/{id}.ron")), dir.join(format!("{id}.ron"))).expect("copy");
    }
    let path = dir.join("campaign.ron");
    std::fs::write(
        &path,
        "Campaign(\n    version: 1,\n    title: \"Loop\",\n    scenarios: [\n        (id: \"tutorial\", after: [\"first-phone\"]),\n        (id: \"first-phone\", after: [\"tutorial\"], min_score: 120),\n    ],\n)\n",
    )
    .expect("write");
    let err = load_campaign(&path).expect_err("refused").to_string();
    assert!(err.contains("campaign.ron:5:"), "{err}");
    assert!(
        err.contains("scenarios[0].after[0]: \"first-phone\" must be a scenario listed earlier"),
        "{err}"
    );
    assert!(
        err.contains("scenarios[1].min_score: must be a score from 0 to 100, found 120"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
