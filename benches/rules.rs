//! Rule matching throughput: 10, 1,000 and 10,000 rules over ≥ 20 MB of
//! generated article text, next to raw Aho-Corasick over the same terms on
//! the same text. Run with `cargo bench --bench rules`.
//!
//! Throughput counts the whole cost, from raw field text (normalisation
//! included) to hits and rule results. Figures are medians of five runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use newshound::model::{ArticleText, Language};
use newshound::rules::{Canonical, Fold, Query, RuleSet, RuleSpec};

/// A small deterministic generator, so every run sees the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Zipf-like: low indices much more often than high ones.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

/// Syllable parts: onset, vowel, coda. Their combinations give about two
/// thousand syllables, so words share prefixes about as often as in a
/// natural language.
const ONSETS: &[&str] = &[
    "", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cr", "dr", "gr", "pr", "st", "tr", "sh", "ch", "th",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou"];
const CODAS: &[&str] = &["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st"];

fn syllable(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        ONSETS[rng.below(ONSETS.len())],
        VOWELS[rng.below(VOWELS.len())],
        CODAS[rng.below(CODAS.len())]
    )
}

/// A vocabulary of distinct word-like strings (1 to 4 syllables), with a
/// few accented and Cyrillic ones; the most frequent are short function
/// words, as in news text.
fn vocabulary(rng: &mut Rng, size: usize) -> Vec<String> {
    let mut words: Vec<String> = [
        "the", "of", "and", "to", "in", "a", "said", "on", "for", "was",
    ]
    .map(String::from)
    .to_vec();
    let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
    while words.len() < size {
        let n = 1 + rng.below(4);
        let mut w: String = (0..n).map(|_| syllable(rng)).collect();
        match rng.below(40) {
            0 => w.push('é'),
            1 => w = format!("пере{w}"),
            _ => {}
        }
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

struct Article {
    title: String,
    summary: String,
    body: String,
}

fn sentence(rng: &mut Rng, vocab: &[String], words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push_str(if rng.below(12) == 0 { ", " } else { " " });
        }
        let w = &vocab[rng.zipf(vocab.len())];
        if i == 0 || rng.below(20) == 0 {
            let mut c = w.chars();
            if let Some(first) = c.next() {
                out.extend(first.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(w);
        }
    }
    out.push('.');
    out
}

fn articles(rng: &mut Rng, vocab: &[String], bytes: usize) -> Vec<Article> {
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        let body: Vec<String> = (0..25).map(|_| sentence(rng, vocab, 18)).collect();
        let a = Article {
            title: sentence(rng, vocab, 9),
            summary: sentence(rng, vocab, 30),
            body: body.join(" "),
        };
        total += a.title.len() + a.summary.len() + a.body.len();
        out.push(a);
    }
    out
}

/// A rule query mixing terms, phrases, prefixes, NEAR, fields and NOT.
fn query(rng: &mut Rng, vocab: &[String]) -> (String, Vec<String>) {
    // Rules watch the less common half of the vocabulary, as watch terms do.
    let word = |rng: &mut Rng| vocab[vocab.len() / 10 + rng.below(vocab.len() * 9 / 10)].clone();
    let (q, terms) = match rng.below(10) {
        0..=3 => {
            let (a, b) = (word(rng), word(rng));
            (format!("{a} OR {b}"), vec![a, b])
        }
        4 | 5 => {
            let (a, b, c) = (word(rng), word(rng), word(rng));
            (format!("\"{a} {b}\" OR {c}"), vec![format!("{a} {b}"), c])
        }
        6 => {
            // A stem that covers a word's inflections, as `mediat*` does:
            // the word less its last two letters, never under five letters.
            let a = word(rng);
            let stem: String = a
                .chars()
                .take(5.max(a.chars().count().saturating_sub(2)))
                .collect();
            (format!("{stem}* -{}", word(rng)), vec![stem])
        }
        7 => {
            let (a, b) = (word(rng), word(rng));
            (format!("NEAR/5({a}, {b})"), vec![a, b])
        }
        8 => {
            let (a, b) = (word(rng), word(rng));
            (format!("title:{a} OR body:({b})"), vec![a, b])
        }
        _ => {
            let (a, b, c) = (word(rng), word(rng), word(rng));
            (format!("({a} OR {b}) AND {c}"), vec![a, b, c])
        }
    };
    (q, terms)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let vocab = vocabulary(&mut rng, 50_000);
    let corpus = articles(&mut rng, &vocab, 20 * 1024 * 1024);
    let bytes: usize = corpus
        .iter()
        .map(|a| a.title.len() + a.summary.len() + a.body.len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "text: {} articles, {mb:.1} MB; vocabulary {} words",
        corpus.len(),
        vocab.len()
    );
    let normalise = time(5, || {
        corpus
            .iter()
            .map(|a| {
                [&a.title, &a.summary, &a.body]
                    .iter()
                    .map(|f| Canonical::new(f, Fold::Folded).tokens.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
    });
    println!(
        "normalisation alone: {:.0} MB/s",
        mb / normalise.as_secs_f64()
    );
    let detect = time(3, || {
        corpus
            .iter()
            .filter(|a| newshound::language::detect(&a.title, &a.summary, &a.body).is_some())
            .count()
    });
    println!(
        "language detection: {:.0} µs per article ({:.0} MB/s of article text)\n",
        detect.as_secs_f64() * 1e6 / corpus.len() as f64,
        mb / detect.as_secs_f64()
    );
    println!(
        "| rules | compile | memory | MB/s as written | MB/s inflected | raw aho-corasick MB/s | inflected / raw | articles matched | rules matched per article |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut first_throughput = None;
    // RULE_COUNTS=10000 runs one size only, e.g. under a profiler.
    let counts: Vec<usize> = std::env::var("RULE_COUNTS")
        .ok()
        .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 1_000, 10_000]);
    for count in counts {
        let generated: Vec<(String, Vec<String>)> =
            (0..count).map(|_| query(&mut rng, &vocab)).collect();
        let compile = time(3, || {
            let specs: Vec<RuleSpec> = generated
                .iter()
                .map(|(q, _)| RuleSpec {
                    query: Query::parse(q).expect("generated queries parse"),
                    exact: false,
                })
                .collect();
            RuleSet::new(specs).unwrap()
        });
        let set = RuleSet::new(
            generated
                .iter()
                .map(|(q, _)| RuleSpec {
                    query: Query::parse(q).unwrap(),
                    exact: false,
                })
                .collect(),
        )
        .unwrap();
        let terms: Vec<&String> = generated.iter().flat_map(|(_, t)| t).collect();
        let raw = AhoCorasick::new(&terms).expect("raw automaton");

        let (mut matched, mut rule_matches) = (0, 0);
        let mut scan = |language: Option<Language>| {
            time(5, || {
                (matched, rule_matches) = (0, 0);
                for a in &corpus {
                    let text = ArticleText {
                        title: &a.title,
                        summary: &a.summary,
                        body: &a.body,
                        language,
                    };
                    let found = set.matches(&text);
                    // Ask every match for its terms, as the pipeline does.
                    rule_matches += found.iter().filter(|m| m.terms().next().is_some()).count();
                    matched += usize::from(!found.is_empty());
                }
                matched
            })
        };
        let literal = scan(None);
        let ours = scan(Some(Language::English));
        let theirs = time(5, || {
            let mut hits = 0usize;
            for a in &corpus {
                for field in [&a.title, &a.summary, &a.body] {
                    hits += raw.find_overlapping_iter(field.as_str()).count();
                }
            }
            hits
        });
        let ours_mbs = mb / ours.as_secs_f64();
        let literal_mbs = mb / literal.as_secs_f64();
        let raw_mbs = mb / theirs.as_secs_f64();
        first_throughput.get_or_insert(ours_mbs);
        println!(
            "| {count} | {:.0} ms | {:.1} MB | {literal_mbs:.0} | {ours_mbs:.0} | {raw_mbs:.0} | {:.2} | {:.1}% | {:.1} |",
            compile.as_secs_f64() * 1e3,
            set.memory_bytes() as f64 / 1e6,
            ours_mbs / raw_mbs,
            100.0 * matched as f64 / corpus.len() as f64,
            rule_matches as f64 / corpus.len() as f64,
        );
    }
    if let Some(first) = first_throughput {
        println!(
            "\ninflected: every article English, so plain words match by stems; as written: no language"
        );
        println!(
            "inflected / raw: newshound throughput / raw aho-corasick throughput on the same text and terms"
        );
        println!("10 rules ran at {first:.0} MB/s inflected");
    }
}
