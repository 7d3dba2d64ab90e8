//! Reading RON files: text, syntax and type errors with their line, column and field
//! path. Shared by scenarios, decision logs and (later) saves.

use super::error::{FileError, FileErrors};
use super::locate::{Position, field_at, locate};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Files larger than this are refused before parsing (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file as UTF-8 text; unreadable, oversized or non-UTF-8 files are errors.
/// A leading byte-order mark (as some Windows editors write) is dropped.
pub fn read_text(path: &Path) -> Result<String, FileErrors> {
    let meta =
        std::fs::metadata(path).map_err(|e| FileErrors::whole_file(path, format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(FileErrors::whole_file(path, "is a directory, not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(FileErrors::whole_file(
            path,
            format!(
                "the file is {} bytes; files over {MAX_FILE_BYTES} bytes are refused",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| FileErrors::whole_file(path, format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = String::from_utf8_lossy(valid);
        let line = 1 + valid.matches('\n').count();
        let column = 1 + valid.rsplit('\n').next().map_or(0, |l| l.chars().count());
        FileErrors(vec![FileError {
            path: path.to_path_buf(),
            line,
            column,
            field: String::new(),
            message: "the file is not UTF-8 text".into(),
        }])
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Deserializes RON `text` into `T`, turning any error into a located [`FileError`].
///
/// The field comes from the deserializer's path; a missing field is appended to it,
/// and where the path stops short (a syntax error between fields shows as `?`) the
/// field at or just before the error's position in the text is named instead.
pub fn parse_ron<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileErrors> {
    let spanned = |e: ron::error::SpannedError, field: String| {
        // Trailing text is reported where it starts, not where the value ended.
        let pos = match e.code {
            ron::Error::TrailingCharacters => e.span.end,
            _ => past_whitespace(text, e.span.start, e.span.end),
        };
        let field = located_field(text, &e.code, pos.line.max(1), pos.col.max(1), field);
        FileErrors(vec![FileError {
            path: path.to_path_buf(),
            line: pos.line.max(1),
            column: pos.col.max(1),
            field,
            message: ron_message(&e.code),
        }])
    };
    if text.trim().is_empty() {
        return Err(FileErrors::whole_file(path, "the file is empty"));
    }
    // `implicit_some`: optional fields are written bare (`price: 1999.0`), not `Some(1999.0)`.
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let mut de = ron::Deserializer::from_str_with_options(text, &options).map_err(|e| spanned(e, String::new()))?;
    let mut track = serde_path_to_error::Track::new();
    let value = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    match value {
        Ok(value) => {
            de.end().map_err(|e| spanned(de.span_error(e), String::new()))?;
            Ok(value)
        }
        Err(e) => Err(spanned(de.span_error(e), track.path().to_string())),
    }
}

/// `start` moved past whitespace towards `end`: ron's spans may begin before the
/// blank that precedes the offending token.
fn past_whitespace(text: &str, start: ron::error::Position, end: ron::error::Position) -> ron::error::Position {
    let mut pos = start;
    let Some(line) = text.split('\n').nth(start.line.saturating_sub(1)) else {
        return start;
    };
    for c in line.chars().skip(start.col.saturating_sub(1)) {
        if !c.is_whitespace() || (pos.line, pos.col) >= (end.line, end.col) {
            break;
        }
        pos.col += 1;
    }
    pos
}

/// The field to name for a parse error: the deserializer's `tracked` path with
/// unknown (`?`) parts removed, made more precise where the text allows.
fn located_field(text: &str, code: &ron::Error, line: usize, column: usize, tracked: String) -> String {
    let known: Vec<&str> = tracked
        .split('.')
        .take_while(|part| !part.is_empty() && !part.contains('?'))
        .collect();
    let complete = known.len() == tracked.split('.').count() && !tracked.is_empty();
    let mut field = known.join(".");
    match code {
        ron::Error::MissingStructField { field: missing, .. }
        | ron::Error::DuplicateStructField { field: missing, .. } => {
            if !field.is_empty() {
                field.push('.');
            }
            field += missing;
        }
        // Nothing more precise to say: the file ends early or goes on too long.
        ron::Error::Eof | ron::Error::TrailingCharacters => {}
        _ if !complete => {
            let guess = field_at(text, Position { line, column });
            // Only a guess that agrees with (and refines) what the deserializer knew.
            let refines = guess
                .strip_prefix(field.as_str())
                .is_some_and(|rest| rest.starts_with(['.', '[']) || (field.is_empty() && !rest.is_empty()));
            if refines {
                field = guess;
            }
        }
        _ => {}
    }
    field
}

/// Turns problems found after parsing (`(field path, sentence)`) into located errors.
pub fn locate_problems(path: &Path, text: &str, problems: Vec<(String, String)>) -> FileErrors {
    FileErrors(
        problems
            .into_iter()
            .map(|(field, message)| {
                let pos = locate(text, &field);
                FileError {
                    path: path.to_path_buf(),
                    line: pos.line,
                    column: pos.column,
                    field,
                    message,
                }
            })
            .collect(),
    )
}

/// The name of the top-level RON struct (`Scenario`, `DecisionLog`), if any.
pub fn top_level_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else if rest.starts_with("#![") {
            rest = rest.split_once(']').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn ron_message(code: &ron::Error) -> String {
    use ron::Error as E;
    match code {
        E::Eof => "unexpected end of file".into(),
        E::ExpectedFloat => "expected a number".into(),
        E::ExpectedInteger => "expected a whole number".into(),
        E::ExpectedString | E::ExpectedStringEnd => "expected a string in double quotes".into(),
        E::ExpectedBoolean => "expected true or false".into(),
        E::ExpectedComma => "expected a comma between the previous value and this".into(),
        E::IntegerOutOfBounds => "whole number out of range (negative, or too large for this field)".into(),
        E::MissingStructField { .. } => "this required field is missing".into(),
        E::DuplicateStructField { .. } => "this field is given twice".into(),
        E::TrailingCharacters => "unexpected text after the end of the file's top-level value".into(),
        E::ExceededRecursionLimit => "values are nested too deeply".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

/// The `*.ron` files directly in `dir`, sorted by path.
pub fn ron_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}
