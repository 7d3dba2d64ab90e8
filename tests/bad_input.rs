//! Bad input never panics and is always reported as `file:line:column: field: sentence`.
//!
//! The corpus is `tests/bad/*.ron`, each file's expected first error listed in
//! `tests/bad/expected.txt`. Large garbage files (random bytes, deep nesting, an
//! oversized file) are generated at test time into a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use thin_margin::cli::check_file;
use thin_margin::scenario::FileError;

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");
const CORPUS: &str = "tests/bad";

/// One line of `tests/bad/expected.txt`.
#[derive(Debug)]
struct Expected {
    name: String,
    line: usize,
    column: Option<usize>,
    /// Empty for whole-file problems.
    field: String,
    message: String,
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn expectations() -> Vec<Expected> {
    let text = std::fs::read_to_string(crate_root().join(CORPUS).join("expected.txt")).expect("expected.txt");
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(name), Some(pos), Some(field)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("expected.txt:{}: want NAME LINE[:COLUMN] FIELD MESSAGE", idx + 1);
        };
        let message = parts.collect::<Vec<_>>().join(" ");
        assert!(!message.is_empty(), "expected.txt:{}: no message", idx + 1);
        let (line_no, column) = match pos.split_once(':') {
            Some((l, c)) => (l.parse().unwrap(), Some(c.parse().unwrap())),
            None => (pos.parse().unwrap(), None),
        };
        out.push(Expected {
            name: name.to_string(),
            line: line_no,
            column,
            field: if field == "-" { String::new() } else { field.to_string() },
            message,
        });
    }
    out
}

fn corpus_path(name: &str) -> PathBuf {
    Path::new(CORPUS).join(name)
}

/// Runs the binary from the crate root (so `scenarios/first-phone.ron` resolves).
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(crate_root())
        .output()
        .expect("run thin-margin")
}

/// A parsed `path:line:column: [field: ]sentence` line.
#[derive(Debug)]
struct Rendered {
    path: String,
    line: usize,
    column: usize,
    rest: String,
}

/// Checks the shape of one stderr line and splits it.
fn parse_error_line(text: &str) -> Rendered {
    let mut parts = text.splitn(4, ':');
    let (Some(path), Some(line), Some(column), Some(rest)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("not `path:line:col: …`: {text:?}");
    };
    let line: usize = line.parse().unwrap_or_else(|_| panic!("bad line number in {text:?}"));
    let column: usize = column.parse().unwrap_or_else(|_| panic!("bad column in {text:?}"));
    assert!(line >= 1 && column >= 1, "{text:?}");
    let rest = rest
        .strip_prefix(' ')
        .unwrap_or_else(|| panic!("no space after the column: {text:?}"));
    assert!(rest.trim().len() > 3, "no sentence in {text:?}");
    Rendered {
        path: path.to_string(),
        line,
        column,
        rest: rest.to_string(),
    }
}

/// The binary's stderr for a failed check: non-zero (not a panic), every line well formed.
fn assert_clean_failure(out: &Output, what: &str) -> Vec<Rendered> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "{what}: exit code; stderr:\n{stderr}");
    assert!(!stderr.trim().is_empty(), "{what}: nothing on stderr");
    stderr.lines().map(parse_error_line).collect()
}

fn assert_matches(e: &FileError, x: &Expected, path: &Path) {
    let shown = e.to_string();
    assert_eq!(e.path, path, "{}: names the wrong file: {shown}", x.name);
    assert_eq!(e.line, x.line, "{}: line: {shown}", x.name);
    if let Some(column) = x.column {
        assert_eq!(e.column, column, "{}: column: {shown}", x.name);
    }
    assert_eq!(e.field, x.field, "{}: field: {shown}", x.name);
    assert!(
        e.message.contains(&x.message),
        "{}: message {:?} in {shown}",
        x.name,
        x.message
    );
    assert!(!e.field.contains('?'), "{}: unknown part in the field: {shown}", x.name);
}

#[test]
fn every_corpus_file_has_an_expectation() {
    let listed: Vec<String> = expectations().into_iter().map(|x| x.name).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(crate_root().join(CORPUS))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expected.txt")
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), listed.len(), "a file is listed twice in expected.txt");
    assert_eq!(sorted, on_disk, "tests/bad/ and expected.txt disagree");
}

#[test]
fn check_file_reports_file_line_and_field() {
    for x in expectations() {
        let path = corpus_path(&x.name);
        let errors = match check_file(&path) {
            Ok(kind) => panic!("{}: accepted as a valid {kind}", x.name),
            Err(e) => e,
        };
        assert!(!errors.0.is_empty(), "{}: an error with no problems", x.name);
        assert_matches(&errors.0[0], &x, &path);
        for e in &errors.0 {
            assert_eq!(e.path, path, "{}: every error names the file", x.name);
            assert!(e.line >= 1 && e.column >= 1, "{}: {e}", x.name);
        }
    }
}

#[test]
fn binary_check_fails_cleanly_on_each_file() {
    for x in expectations() {
        let path = corpus_path(&x.name);
        let shown = path.display().to_string();
        let out = run(&["check", &shown]);
        let lines = assert_clean_failure(&out, &x.name);
        let first = &lines[0];
        assert_eq!(first.path, shown, "{}", x.name);
        assert_eq!(first.line, x.line, "{}: {}", x.name, first.rest);
        if let Some(column) = x.column {
            assert_eq!(first.column, column, "{}: {}", x.name, first.rest);
        }
        if x.field.is_empty() {
            assert!(first.rest.contains(&x.message), "{}: {}", x.name, first.rest);
        } else {
            let sentence = first
                .rest
                .strip_prefix(&format!("{}: ", x.field))
                .unwrap_or_else(|| panic!("{}: field {:?} missing from {:?}", x.name, x.field, first.rest));
            assert!(sentence.contains(&x.message), "{}: {sentence}", x.name);
        }
        assert!(out.stdout.is_empty(), "{}: stdout not empty", x.name);
    }
}

#[test]
fn binary_check_reports_every_bad_file_at_once() {
    let xs = expectations();
    let paths: Vec<String> = xs.iter().map(|x| corpus_path(&x.name).display().to_string()).collect();
    let mut args = vec!["check"];
    args.extend(paths.iter().map(String::as_str));
    let lines = assert_clean_failure(&run(&args), "all files");
    for p in &paths {
        assert!(lines.iter().any(|l| &l.path == p), "no error for {p}");
    }
}

#[test]
fn good_files_pass() {
    for file in ["scenarios/first-phone.ron", "decisions/first-phone-cut-price.ron"] {
        let out = run(&["check", file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with(&format!("{file}: ok (")), "{stdout}");
        assert!(check_file(Path::new(file)).is_ok(), "{file}");
    }
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("thin-margin-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

const MB3: usize = 3 * 1024 * 1024;

#[test]
fn megabytes_of_garbage_fail_cleanly() {
    let dir = TempDir::new("garbage");
    let printable: Vec<u8> = noise(MB3, 11).into_iter().map(|b| b' ' + b % 95).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("random.ron", noise(MB3, 7), "not UTF-8"),
        ("printable.ron", printable.clone(), "not a Thin Margin file"),
        (
            "scenario-printable.ron",
            [b"Scenario(".as_slice(), &printable].concat(),
            "",
        ),
        ("brackets.ron", vec![b'['; MB3], "not a Thin Margin file"),
        (
            "scenario-brackets.ron",
            [b"Scenario(".as_slice(), &vec![b'['; MB3]].concat(),
            "",
        ),
        (
            "scenario-parens.ron",
            [b"Scenario(market: ".as_slice(), &vec![b'('; MB3]].concat(),
            "",
        ),
        (
            "log-brackets.ron",
            [
                b"DecisionLog(version: 1, scenario: \"first-phone\", quarters: ".as_slice(),
                &vec![b'['; MB3],
            ]
            .concat(),
            "",
        ),
        (
            "log-nested-skus.ron",
            [
                b"DecisionLog(version: 1, scenario: \"first-phone\", quarters: [(skus: {\"flagship\": ".as_slice(),
                &b"(price: ".repeat(MB3 / 8),
            ]
            .concat(),
            "",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = dir.write(name, &bytes);
        let errors = check_file(&path).expect_err(name);
        let first = &errors.0[0];
        assert_eq!(first.path, path, "{name}");
        assert!(first.line >= 1 && first.column >= 1, "{name}: {first}");
        assert!(first.message.contains(message), "{name}: {first}");
        let shown = path.display().to_string();
        let lines = assert_clean_failure(&run(&["check", &shown]), name);
        assert_eq!(lines[0].path, shown, "{name}");
        assert_eq!((lines[0].line, lines[0].column), (first.line, first.column), "{name}");
    }
}

#[test]
fn oversized_missing_and_directory_paths_fail_cleanly() {
    let dir = TempDir::new("paths");
    // A sparse file just over the 64 MiB limit: refused before it is read.
    let big = dir.0.join("huge.ron");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(thin_margin::scenario::load::MAX_FILE_BYTES + 1)
        .unwrap();
    let missing = dir.0.join("missing.ron");
    for (path, message) in [
        (big.as_path(), "refused"),
        (missing.as_path(), "cannot read"),
        (dir.0.as_path(), "directory"),
    ] {
        let errors = check_file(path).expect_err("must fail");
        assert_eq!(errors.0[0].path, path);
        assert!(errors.0[0].message.contains(message), "{}", errors.0[0]);
        let shown = path.display().to_string();
        let lines = assert_clean_failure(&run(&["check", &shown]), &shown);
        assert_eq!(lines[0].path, shown);
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = TempDir::new("bom");
    let text = std::fs::read(crate_root().join("scenarios/first-phone.ron")).unwrap();
    let path = dir.write("first-phone.ron", &[b"\xef\xbb\xbf".as_slice(), &text].concat());
    assert_eq!(check_file(&path), Ok("scenario"));
}

#[test]
fn simulate_reports_bad_files_with_their_location() {
    let out = run(&["simulate", "tests/bad/scenario-nan.ron"]);
    let lines = assert_clean_failure(&out, "simulate scenario-nan");
    assert_eq!(lines[0].path, "tests/bad/scenario-nan.ron");
    assert!(
        lines[0].rest.starts_with("market.segments[0].bass_q: "),
        "{}",
        lines[0].rest
    );

    let out = run(&[
        "simulate",
        "scenarios/first-phone.ron",
        "--decisions",
        "tests/bad/log-shares-sum.ron",
    ]);
    let lines = assert_clean_failure(&out, "simulate log-shares-sum");
    assert_eq!(lines[0].path, "tests/bad/log-shares-sum.ron");
    assert_eq!(lines[0].line, 9);
    assert!(lines[0].rest.starts_with("quarters[2].channels: "), "{}", lines[0].rest);
    assert!(out.stdout.is_empty());
}
