//! The configuration reference against the program: every key the config
//! file accepts is documented in docs/configuration.md, and every key
//! documented there is accepted. The accepted keys come from newshound
//! itself, not from a list kept here: a config with an unknown key in a
//! section is refused with the section's keys listed ("unknown field `x`,
//! expected one of `a`, `b`"), and a key whose value is a table of its own
//! is found by putting an unknown key inside it. Also the newshound.toml(5)
//! page rendered from that reference.

mod common;

use std::collections::BTreeMap;

use common::{Env, assert_exit, stderr, stdout};

/// A key no section has.
const BOGUS: &str = "zz_not_a_key";

/// The reference, as the repository holds it.
fn reference() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md");
    std::fs::read_to_string(path).expect("docs/configuration.md is readable")
}

/// Where a table of keys sits in the config file.
#[derive(Debug, Clone)]
enum Place {
    /// The file's top level.
    Top,
    /// `[name]`
    Table(String),
    /// `[[name]]`
    Tables(String),
    /// `key = { … }` inside another place.
    Inline(Box<Place>, String),
}

impl Place {
    /// The heading the reference gives this place's keys.
    fn heading(&self) -> String {
        match self {
            Place::Top => "Top level".to_string(),
            Place::Table(name) => format!("[{name}]"),
            Place::Tables(name) => format!("[[{name}]]"),
            Place::Inline(parent, key) => format!("{} {key}", parent.heading()),
        }
    }

    /// A config holding `line` at this place.
    fn toml(&self, line: &str) -> String {
        match self {
            Place::Top => format!("{line}\n"),
            Place::Table(name) => format!("[{name}]\n{line}\n"),
            Place::Tables(name) => format!("[[{name}]]\n{line}\n"),
            Place::Inline(parent, key) => parent.toml(&format!("{key} = {{ {line} }}")),
        }
    }

    /// Where a table-valued `key` of this place may sit.
    fn children(&self, key: &str) -> Vec<Place> {
        match self {
            Place::Top => vec![Place::Table(key.into()), Place::Tables(key.into())],
            _ => vec![Place::Inline(Box::new(self.clone()), key.into())],
        }
    }
}

/// The keys newshound accepts at `place`, as `check` lists them when it
/// refuses an unknown one; `None` when `place` holds no keys of its own
/// (the value there is not a table).
async fn accepted(place: &Place) -> Option<Vec<String>> {
    let env = Env::new();
    let config = place.toml(&format!("{BOGUS} = 1"));
    std::fs::write(env.config_path(), &config).unwrap();
    let output = env.newshound(&["check"]).await;
    assert_exit(&output, 2);
    let error = stderr(&output);
    let listed = error
        .split_once(&format!("unknown field `{BOGUS}`, "))?
        .1
        .lines()
        .next()
        .unwrap_or_default();
    if listed.starts_with("there are no fields") {
        return Some(Vec::new());
    }
    assert!(
        listed.starts_with("expected"),
        "check refused an unknown key without listing the known ones:\n{config}\n{error}"
    );
    Some(
        listed
            .split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect(),
    )
}

/// Every table of keys the config file accepts, by its heading in the
/// reference, with its keys.
async fn program_sections() -> BTreeMap<String, Vec<String>> {
    let top = accepted(&Place::Top)
        .await
        .expect("check names the known keys when it refuses an unknown one");
    let mut sections = BTreeMap::new();
    let mut todo = vec![(Place::Top, top)];
    while let Some((place, keys)) = todo.pop() {
        for key in &keys {
            for child in place.children(key) {
                if let Some(child_keys) = accepted(&child).await {
                    todo.push((child, child_keys));
                    break;
                }
            }
        }
        sections.insert(place.heading(), keys);
    }
    sections
}

/// The keys the reference documents, by section heading: the first cell
/// (one `key`) of each row of the tables under a heading that names a
/// section (`[smtp]`, `[[feed]] extract`) or the top level.
fn documented_sections(markdown: &str) -> BTreeMap<String, Vec<String>> {
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_code = false;
    for (n, line) in markdown.lines().enumerate() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        if line.starts_with('#') {
            let heading = line.trim_start_matches('#').trim().replace('`', "");
            let names_section = heading == "Top level" || heading.starts_with('[');
            current = names_section.then(|| heading.clone());
            if let Some(heading) = &current {
                let fresh = sections.insert(heading.clone(), Vec::new()).is_none();
                assert!(fresh, "docs/configuration.md:{}: {heading} again", n + 1);
            }
            continue;
        }
        let (Some(section), Some(row)) = (&current, line.strip_prefix('|')) else {
            continue;
        };
        let first = row.split('|').next().unwrap_or_default().trim();
        if first == "key" || first.chars().all(|c| c == '-' || c == ':') {
            continue;
        }
        let key = first
            .strip_prefix('`')
            .and_then(|k| k.strip_suffix('`'))
            .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .unwrap_or_else(|| {
                panic!(
                    "docs/configuration.md:{}: a row of {section} starts with {first:?}, not one `key`",
                    n + 1
                )
            });
        let keys = sections.get_mut(section).expect("the section was entered");
        assert!(
            !keys.iter().any(|k| k == key),
            "docs/configuration.md:{}: {section} documents `{key}` twice",
            n + 1
        );
        keys.push(key.to_string());
    }
    sections
}

#[tokio::test]
async fn every_config_key_is_documented_and_every_documented_key_exists() {
    let program = program_sections().await;
    let documented = documented_sections(&reference());
    let mut problems = Vec::new();
    for (heading, keys) in &program {
        let Some(doc_keys) = documented.get(heading) else {
            problems.push(format!(
                "{heading}: newshound accepts it, the reference has no section for it"
            ));
            continue;
        };
        for key in keys {
            let as_section = match heading.as_str() {
                "Top level" => [format!("[{key}]"), format!("[[{key}]]")],
                _ => [format!("{heading} {key}"), String::new()],
            };
            let in_own_section = as_section.iter().any(|h| documented.contains_key(h));
            if !doc_keys.contains(key) && !in_own_section {
                problems.push(format!(
                    "{heading} `{key}`: newshound accepts it, the reference does not document it"
                ));
            }
        }
        for key in doc_keys {
            if !keys.contains(key) {
                problems.push(format!(
                    "{heading} `{key}`: documented, but newshound refuses it"
                ));
            }
        }
    }
    for heading in documented.keys().filter(|h| !program.contains_key(*h)) {
        problems.push(format!(
            "{heading}: documented, but newshound has no such section"
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/configuration.md and the config newshound reads disagree:\n  {}\n\
         newshound reads:\n{program:#?}",
        problems.join("\n  ")
    );
    // What the test relies on: a section of each kind was found.
    for heading in [
        "Top level",
        "[smtp]",
        "[[feed]]",
        "[[feed]] extract",
        "[daemon]",
    ] {
        assert!(
            program.contains_key(heading),
            "no {heading} in {program:#?}"
        );
    }
}

#[tokio::test]
async fn the_config_man_page_shows_every_documented_key() {
    let env = Env::new();
    let output = env.newshound(&["man", "--section", "5"]).await;
    assert_exit(&output, 0);
    let page = stdout(&output);
    assert!(page.starts_with(".TH newshound.toml 5 "), "{page}");
    for (heading, keys) in documented_sections(&reference()) {
        let heading = match heading.contains('[') {
            true => heading,
            false => heading.to_uppercase(),
        };
        assert!(
            page.contains(&format!(" \"{heading}\"\n")),
            "no {heading} in:\n{page}"
        );
        for key in keys {
            let entry = format!(".TP\n\\%\\fB{key}\\fR (");
            assert!(page.contains(&entry), "no {key} in {heading}:\n{page}");
        }
    }
    // groff, where it is installed, reads the page without a warning.
    let groff = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut groff) = groff else {
        eprintln!("groff is not installed; the page's roff was not checked by it");
        return;
    };
    use std::io::Write;
    groff
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let checked = groff.wait_with_output().unwrap();
    assert!(checked.status.success());
    assert_eq!(String::from_utf8_lossy(&checked.stderr), "");
}

#[tokio::test]
async fn the_command_man_page_points_at_the_config_page() {
    let env = Env::new();
    let output = env.newshound(&["man"]).await;
    assert_exit(&output, 0);
    let page = stdout(&output);
    assert!(page.contains(".TH newshound 1 "), "{page}");
    assert!(page.contains("\\fBnewshound.toml\\fR(5)"), "{page}");
}
