//! File errors that name the file, line, column and field, and say what is wrong.

use std::fmt;
use std::path::PathBuf;

/// One problem in one file, rendered `file:line:column: field.path: sentence`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Dotted field path such as `market.segments[1].price_sensitivity` (may be empty).
    pub field: String,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a file (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FileErrors(pub Vec<FileError>);

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, e) in self.0.iter().enumerate() {
            if idx > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl FileErrors {
    /// A single error at the start of a file (unreadable, wrong kind, …).
    pub fn whole_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        FileErrors(vec![FileError {
            path: path.into(),
            line: 1,
            column: 1,
            field: String::new(),
            message: message.into(),
        }])
    }
}
