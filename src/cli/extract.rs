//! `newshound extract`: the main text of one page (a file or a URL), or of
//! every page in a folder, as the extraction benchmarks expect it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use serde_json::json;

use crate::extract::{Extracted, Guide, Hint, SelectorRule, Tuning, extract_bytes};

/// Prints the text of `source` (or JSON with its metadata and the method
/// that found the text); returns the exit code.
pub async fn extract_one(source: &str, guide: &Guide<'_>, as_json: bool) -> super::Outcome {
    let (bytes, content_type) = match super::inspect::read(source).await {
        Ok((bytes, content_type, _)) => (bytes, content_type),
        Err(message) => return Err(anyhow::anyhow!("{source}: {message}")),
    };
    let extracted = extract_bytes(&bytes, content_type.as_deref(), guide);
    if as_json {
        println!("{}", to_json(&extracted));
    } else {
        println!("{}", extracted.text);
    }
    Ok(0)
}

/// How `extract --batch` extracts every page.
pub struct Batch<'a> {
    pub rule: Option<&'a SelectorRule>,
    /// A JSON file of `{"ID": {"summary": text}}`, the feed's words about
    /// each page.
    pub hints: Option<&'a Path>,
    pub tuning: Tuning,
}

/// Extracts every `dir/ID.html` and writes `{"ID": {"articleBody": text,
/// "method": name}}` to `out`; returns the exit code.
pub fn extract_batch(dir: &Path, out: &Path, batch: &Batch) -> super::Outcome {
    let hints = match batch.hints {
        Some(path) => read_hints(path)?,
        None => HashMap::new(),
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(
                anyhow::Error::new(e).context(format!("cannot read the folder {}", dir.display()))
            );
        }
    };
    let mut pages: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    let mut results = BTreeMap::new();
    // Extraction alone is timed (not reading files), for benchmarks.
    let mut extracting = std::time::Duration::ZERO;
    for page in &pages {
        let id = page
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match std::fs::read(page) {
            Ok(bytes) => {
                let guide = Guide {
                    rule: batch.rule,
                    hint: hints.get(&id),
                    tuning: batch.tuning,
                };
                let started = std::time::Instant::now();
                let extracted = extract_bytes(&bytes, None, &guide);
                extracting += started.elapsed();
                results.insert(
                    id,
                    json!({"articleBody": extracted.text, "method": extracted.method.name()}),
                );
            }
            Err(e) => eprintln!("warning: skipped {}: {e}", page.display()),
        }
    }
    let text = serde_json::to_string_pretty(&results).expect("strings always serialise");
    if let Err(e) = std::fs::write(out, text) {
        return Err(anyhow::anyhow!("cannot write {}: {e}", out.display()));
    }
    let seconds = extracting.as_secs_f64();
    eprintln!(
        "{} pages extracted to {} in {seconds:.4} s ({:.0} pages/s){}",
        results.len(),
        out.display(),
        results.len() as f64 / seconds.max(1e-9),
        peak_memory().map_or(String::new(), |kb| format!(", peak RSS {} MB", kb / 1024))
    );
    Ok(0)
}

/// The hints file of `extract --batch --hints`; keys other than
/// `summary` (a feed's `title`, say) are ignored.
fn read_hints(path: &Path) -> anyhow::Result<HashMap<String, Hint>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the hints file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a JSON object of {{\"ID\": {{\"summary\": text}}}}",
            path.display()
        )
    })
}

/// This process's peak resident memory in KiB (Linux: `VmHWM`), for
/// benchmarks; a parent's getrusage would report the parent's peak too.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn to_json(extracted: &Extracted) -> serde_json::Value {
    let m = &extracted.metadata;
    json!({
        "title": m.title,
        "author": m.author,
        "published": m.published.map(|t| t.to_rfc3339()),
        "language": m.language,
        "method": extracted.method.name(),
        "text": extracted.text,
    })
}
