//! Config errors that point at the offending text: `file:line:col: message`,
//! then the line with a caret under the problem.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a config file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("{}: cannot read the config file: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but something in it is wrong.
    #[error("{0}")]
    Invalid(Located),
}

/// A message tied to a place in the config file.
#[derive(Debug)]
pub struct Located {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The source line and the caret's column, shown under the first line.
    pub excerpt: Option<(String, usize)>,
}

impl Located {
    /// Locates `message` at byte offset `at` of `source`.
    pub fn new(path: &Path, source: &str, at: usize, message: impl Into<String>) -> Located {
        let at = floor_char_boundary(source, at.min(source.len()));
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[at..].find('\n').map_or(source.len(), |i| at + i);
        let line = source[..at].matches('\n').count() + 1;
        let column = source[line_start..at].chars().count() + 1;
        let text = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        Located {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
            excerpt: Some((text, column)),
        }
    }

    /// Locates `message` at the start of `span`.
    pub fn at(
        path: &Path,
        source: &str,
        span: &Range<usize>,
        message: impl Into<String>,
    ) -> Located {
        Located::new(path, source, span.start, message)
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some((text, column)) = &self.excerpt {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let indent: String = text
                .chars()
                .take(column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{gutter} | {text}\n{pad} | {indent}^")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column() {
        let src = "a = 1\nname = \"x\"\n";
        let err = Located::new(Path::new("c.toml"), src, 13, "bad name");
        assert_eq!(
            err.to_string(),
            "c.toml:2:8: bad name\n2 | name = \"x\"\n  |        ^"
        );
    }

    #[test]
    fn counts_columns_in_characters() {
        let src = "q = \"停火 x\"";
        let err = Located::new(Path::new("c.toml"), src, src.find('x').unwrap(), "here");
        assert_eq!((err.line, err.column), (1, 9));
    }
}
