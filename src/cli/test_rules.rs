//! `newshound test-rules`: which rules match which articles, without the
//! database. Reads JSON Lines of articles, feed files or HTML pages.

use std::path::Path;

use serde::Deserialize;
use serde_json::json;

use super::invalid;
use crate::config::{Config, Located};
use crate::extract::{Guide, extract_bytes};
use crate::feed;
use crate::language::article_language;
use crate::model::{ArticleText, Field, Language};
use crate::rules::{Query, RuleSet, RuleSpec};

/// One article to test, as JSON Lines give it (missing fields are empty).
#[derive(Debug, Default, Deserialize)]
struct Article {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    feed: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    /// The article's language code, as the feed's `language` key would
    /// give it; detected when absent.
    #[serde(default)]
    language: Option<String>,
    /// The language a feed file's `<language>` or a page's `lang` names: a
    /// hint, as the daemon takes it.
    #[serde(skip)]
    hint: Option<String>,
}

/// The rules to try: their names, their compiled set and their feed scopes.
pub struct Trial {
    names: Vec<String>,
    set: RuleSet,
    /// For each rule, the configured feed names it applies to (None: any).
    scopes: Vec<Option<Vec<String>>>,
    /// The configured feeds that declare their language, by name.
    languages: Vec<(String, &'static str)>,
}

/// Rules from `--query` (no config needed).
pub fn from_query(query: &str) -> anyhow::Result<Trial> {
    let parsed = Query::parse(query).map_err(|e| {
        invalid(Located::new(Path::new("--query"), query, e.offset, e.message).to_string())
    })?;
    let set = RuleSet::new(vec![RuleSpec {
        query: parsed,
        exact: false,
    }])
    .map_err(|e| invalid(format!("--query: {e}")))?;
    Ok(Trial {
        names: vec!["query".to_string()],
        set,
        scopes: vec![None],
        languages: Vec::new(),
    })
}

/// Every rule of `config`, or only `only`.
pub fn from_config(config: &Config, only: Option<&str>) -> anyhow::Result<Trial> {
    let chosen: Vec<usize> = match only {
        Some(name) => vec![
            config
                .rules
                .iter()
                .position(|r| r.name == name)
                .ok_or_else(|| {
                    invalid(format!(
                        "no rule named \"{name}\" in {}",
                        config.path.display()
                    ))
                })?,
        ],
        None => (0..config.rules.len())
            .filter(|&i| config.rules[i].enabled)
            .collect(),
    };
    let specs = chosen
        .iter()
        .map(|&i| {
            let rule = &config.rules[i];
            let query = Query::parse(&rule.query).expect("the config's queries were validated");
            RuleSpec {
                query,
                exact: rule.exact,
            }
        })
        .collect();
    Ok(Trial {
        names: chosen
            .iter()
            .map(|&i| config.rules[i].name.clone())
            .collect(),
        set: RuleSet::new(specs)?,
        scopes: chosen
            .iter()
            .map(|&i| {
                let rule = &config.rules[i];
                (!rule.feeds.is_empty()).then(|| {
                    config
                        .feeds
                        .iter()
                        .filter(|f| rule.applies_to(f))
                        .map(|f| f.name.clone())
                        .collect()
                })
            })
            .collect(),
        languages: config
            .feeds
            .iter()
            .filter_map(|f| Some((f.name.clone(), f.language?)))
            .collect(),
    })
}

/// Prints one JSON line per (article, matching rule); returns the exit code.
pub fn test_rules(trial: &Trial, files: &[String]) -> super::Outcome {
    let mut code = 0;
    for file in files {
        let articles = match read_articles(Path::new(file)) {
            Ok(articles) => articles,
            Err(message) => {
                eprintln!("error: {file}: {message}");
                code = super::FAILED;
                continue;
            }
        };
        for article in articles {
            print_matches(trial, &article);
        }
    }
    Ok(code)
}

fn print_matches(trial: &Trial, article: &Article) {
    // As the daemon decides it: the article's own (or its configured
    // feed's) language, else detection with the feed's `<language>` as hint.
    let declared = article.language.as_deref().or_else(|| {
        trial
            .languages
            .iter()
            .find(|(feed, _)| *feed == article.feed)
            .map(|(_, code)| *code)
    });
    let language = article_language(
        declared,
        article.hint.as_deref(),
        &article.title,
        &article.summary,
        &article.body,
    );
    let text = ArticleText {
        title: &article.title,
        summary: &article.summary,
        body: &article.body,
        language: language.as_deref().and_then(Language::from_code),
    };
    for m in trial.set.evaluate(&text) {
        let in_scope = match &trial.scopes[m.rule] {
            Some(feeds) if !article.feed.is_empty() => feeds.contains(&article.feed),
            _ => true,
        };
        if !in_scope {
            continue;
        }
        let fields: Vec<&str> = Field::ALL
            .into_iter()
            .filter(|f| m.hits.iter().any(|h| h.field == *f))
            .map(Field::name)
            .collect();
        let mut line = json!({"id": article.id, "rule": trial.names[m.rule], "fields": fields, "terms": m.terms, "language": language});
        let forms: serde_json::Map<String, serde_json::Value> = m
            .terms
            .iter()
            .zip(&m.forms)
            .filter_map(|(term, form)| Some((term.clone(), json!(form.as_ref()?))))
            .collect();
        if !forms.is_empty() {
            line["as"] = forms.into();
            line["matched"] = json!(m.described_terms());
        }
        println!("{line}");
    }
}

/// The articles in `path`: JSON Lines, a feed, or an HTML page.
fn read_articles(path: &Path) -> Result<Vec<Article>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(articles) = json_lines(&bytes)? {
        return Ok(articles);
    }
    if let Ok(parsed) = feed::parse(&bytes, None, None) {
        return Ok(parsed
            .entries
            .into_iter()
            .map(|e| Article {
                id: json!(e.id),
                feed: String::new(),
                title: e.title,
                summary: e.summary,
                body: e.content,
                language: None,
                hint: e.language,
            })
            .collect());
    }
    let page = extract_bytes(&bytes, None, &Guide::default());
    Ok(vec![Article {
        id: json!(name),
        title: page.metadata.title.unwrap_or_default(),
        body: page.text,
        hint: page.metadata.language,
        ..Article::default()
    }])
}

/// The articles of a JSON Lines file; None when the file is not one (a
/// JSON Feed is one JSON document with `items`).
fn json_lines(bytes: &[u8]) -> Result<Option<Vec<Article>>, String> {
    let text = String::from_utf8_lossy(bytes);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(first)
    else {
        return Ok(None);
    };
    if object.contains_key("items") || object.contains_key("version") {
        return Ok(None);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect::<Result<Vec<Article>, String>>()
        .map(Some)
}
