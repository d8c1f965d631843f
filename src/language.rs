//! An article's language: declared by its feed's configuration, else
//! detected from its title, summary and body together, with the feed's own
//! `<language>` as the tie-breaker when detection is unsure.
//!
//! Detection is whatlang's trigram model, over at most [`SAMPLE`]
//! characters: on the corpus pages it names the language of 96% of them
//! (most misses are pages that declare the wrong one), at about 0.2 ms an
//! article. Pure: no I/O.

use whatlang::{Detector, Lang};

use crate::model::{Language, primary_subtag};

/// The most characters of an article that detection reads: title and
/// summary first, then stretches of the body from its start, middle and
/// end, so that the language of most of the words decides. Enough for a
/// confident answer (as many corpus pages are named right as with 4,000),
/// at two thirds of the cost.
pub const SAMPLE: usize = 1000;

/// Every language detection can name, by ISO 639-3 (whatlang's) and
/// ISO 639-1 codes. Languages without a 639-1 code keep the 639-3 one.
const CODES: &[(Lang, &str)] = &[
    (Lang::Afr, "af"),
    (Lang::Aka, "ak"),
    (Lang::Amh, "am"),
    (Lang::Ara, "ar"),
    (Lang::Aze, "az"),
    (Lang::Bel, "be"),
    (Lang::Ben, "bn"),
    (Lang::Bul, "bg"),
    (Lang::Cat, "ca"),
    (Lang::Ces, "cs"),
    (Lang::Cmn, "zh"),
    (Lang::Dan, "da"),
    (Lang::Deu, "de"),
    (Lang::Ell, "el"),
    (Lang::Eng, "en"),
    (Lang::Epo, "eo"),
    (Lang::Est, "et"),
    (Lang::Fin, "fi"),
    (Lang::Fra, "fr"),
    (Lang::Guj, "gu"),
    (Lang::Heb, "he"),
    (Lang::Hin, "hi"),
    (Lang::Hrv, "hr"),
    (Lang::Hun, "hu"),
    (Lang::Hye, "hy"),
    (Lang::Ind, "id"),
    (Lang::Ita, "it"),
    (Lang::Jav, "jv"),
    (Lang::Jpn, "ja"),
    (Lang::Kan, "kn"),
    (Lang::Kat, "ka"),
    (Lang::Khm, "km"),
    (Lang::Kor, "ko"),
    (Lang::Lat, "la"),
    (Lang::Lav, "lv"),
    (Lang::Lit, "lt"),
    (Lang::Mal, "ml"),
    (Lang::Mar, "mr"),
    (Lang::Mkd, "mk"),
    (Lang::Mya, "my"),
    (Lang::Nep, "ne"),
    (Lang::Nld, "nl"),
    (Lang::Nob, "nb"),
    (Lang::Ori, "or"),
    (Lang::Pan, "pa"),
    (Lang::Pes, "fa"),
    (Lang::Pol, "pl"),
    (Lang::Por, "pt"),
    (Lang::Ron, "ro"),
    (Lang::Rus, "ru"),
    (Lang::Sin, "si"),
    (Lang::Slk, "sk"),
    (Lang::Slv, "sl"),
    (Lang::Sna, "sn"),
    (Lang::Spa, "es"),
    (Lang::Srp, "sr"),
    (Lang::Swe, "sv"),
    (Lang::Tam, "ta"),
    (Lang::Tel, "te"),
    (Lang::Tgl, "tl"),
    (Lang::Tha, "th"),
    (Lang::Tuk, "tk"),
    (Lang::Tur, "tr"),
    (Lang::Ukr, "uk"),
    (Lang::Urd, "ur"),
    (Lang::Uzb, "uz"),
    (Lang::Vie, "vi"),
    (Lang::Yid, "yi"),
    (Lang::Zul, "zu"),
];

/// Codes a feed may declare besides the detectable ones: Norwegian's
/// macrolanguage code stands for Bokmål.
const ALIASES: &[(&str, &str)] = &[("no", "nb")];

/// The ISO 639-1 code a feed's `language` names, or None when no language
/// has it.
pub fn known_code(code: &str) -> Option<&'static str> {
    let primary = primary_subtag(code);
    let primary = ALIASES
        .iter()
        .find(|(alias, _)| *alias == primary)
        .map_or(primary.as_str(), |(_, to)| to);
    CODES.iter().map(|(_, c)| *c).find(|c| *c == primary)
}

/// Every code a feed may declare, sorted, for error messages.
pub fn known_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = CODES.iter().map(|(_, c)| *c).collect();
    codes.extend(ALIASES.iter().map(|(alias, _)| *alias));
    codes.sort_unstable();
    codes
}

/// What detection said about a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    /// ISO 639-1 code.
    pub code: &'static str,
    /// The model is confident.
    pub reliable: bool,
}

/// The language of an article's text, from title, summary and body
/// together (the language of most of its words), or None when the text
/// holds too little to tell.
pub fn detect(title: &str, summary: &str, body: &str) -> Option<Detected> {
    // Latin is scored high on short English text and written in no news.
    detect_in(
        &sample(title, summary, body),
        Detector::with_denylist(vec![Lang::Lat]),
    )
}

/// What `detector` says about `sample`.
fn detect_in(sample: &str, detector: Detector) -> Option<Detected> {
    let info = detector.detect(sample)?;
    let code = CODES.iter().find(|(l, _)| *l == info.lang())?.1;
    Some(Detected {
        code,
        reliable: info.is_reliable(),
    })
}

/// The text detection reads, at most [`SAMPLE`] characters: title and
/// summary, then the body whole or, when it is longer than the room left,
/// three stretches of it (start, middle, end).
fn sample(title: &str, summary: &str, body: &str) -> String {
    let mut sample = String::with_capacity(SAMPLE * 2);
    let mut left = SAMPLE;
    for part in [title, summary] {
        let taken: String = part.chars().take(left).collect();
        left -= taken.chars().count();
        sample.push_str(&taken);
        sample.push_str(".\n");
    }
    let chars = body.chars().count();
    if chars <= left {
        sample.push_str(body);
        return sample;
    }
    let stretch = left / 3;
    for start in [0, chars / 2 - stretch / 2, chars - stretch] {
        sample.extend(body.chars().skip(start).take(stretch));
        sample.push_str(".\n");
    }
    sample
}

/// The language an article is matched in: the feed configuration's
/// `declared` code when set; else what detection finds, when it is sure;
/// else the feed's own `<language>` element; else, for a text too short to
/// be sure of, the likeliest language with inflection support; else
/// detection's best guess. An ISO 639-1 code, or None.
///
/// A headline alone is often too short for detection to be sure ("I
/// negoziati di pace riprendono" scores as Slovenian first). Matching it
/// with the likeliest inflected language's stems costs little when that is
/// wrong — light stemmers cut only endings — and missing the story would
/// cost an alert.
pub fn article_language(
    declared: Option<&str>,
    feed_hint: Option<&str>,
    title: &str,
    summary: &str,
    body: &str,
) -> Option<String> {
    if let Some(code) = declared.and_then(known_code) {
        return Some(code.to_string());
    }
    let sample = sample(title, summary, body);
    let detected = detect_in(&sample, Detector::with_denylist(vec![Lang::Lat]));
    match (detected, feed_hint.and_then(known_code)) {
        (Some(d), _) if d.reliable => Some(d.code.to_string()),
        (_, Some(hint)) => Some(hint.to_string()),
        (d, None) => detect_in(&sample, Detector::with_allowlist(inflected()))
            .or(d)
            .map(|d| d.code.to_string()),
    }
}

/// The detectable languages with inflection support.
fn inflected() -> Vec<Lang> {
    CODES
        .iter()
        .filter(|(_, code)| Language::from_code(code).is_some())
        .map(|(lang, _)| *lang)
        .collect()
}

/// The inflection language of a stored entry: the one it was matched in,
/// else (an entry stored before languages were kept) detection's answer.
pub fn stored_language(
    code: Option<&str>,
    title: &str,
    summary: &str,
    body: &str,
) -> Option<Language> {
    match code {
        Some(code) => Language::from_code(code),
        None => article_language(None, None, title, summary, body)
            .as_deref()
            .and_then(Language::from_code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_of_most_of_the_words_decides() {
        let english = "The ceasefire talks resumed in Cairo on Monday. ";
        let russian =
            "Переговоры о перемирии возобновились в Каире в понедельник, сообщили источники. ";
        let mostly_russian = format!("{}{}", english, russian.repeat(4));
        let mostly_english = format!("{}{}", english.repeat(4), russian);
        assert_eq!(detect("", "", &mostly_russian).unwrap().code, "ru");
        assert_eq!(detect("", "", &mostly_english).unwrap().code, "en");
        // Longer than the sample, with an English opening of a Russian text.
        let long = format!("{}{}", english.repeat(20), russian.repeat(60));
        assert_eq!(detect("", "", &long).unwrap().code, "ru");
    }

    #[test]
    fn a_declared_language_wins_and_a_feed_hint_breaks_a_tie() {
        let german = "Die Gespräche über einen Waffenstillstand wurden am Montag in Kairo \
                      fortgesetzt, wie beide Seiten am Abend mitteilten. Die Vermittler \
                      sprachen von Fortschritten, aber noch nicht von einer Einigung.";
        assert_eq!(
            article_language(Some("ru"), None, "", "", german).as_deref(),
            Some("ru")
        );
        assert_eq!(
            article_language(None, Some("fr"), "", "", german).as_deref(),
            Some("de")
        );
        assert_eq!(
            article_language(None, Some("fr-FR"), "OK", "", "").as_deref(),
            Some("fr")
        );
        assert_eq!(article_language(None, None, "", "", ""), None);
        // Too short to be sure: the likeliest language with inflection.
        assert_eq!(
            article_language(None, None, "I negoziati di pace riprendono", "", "").as_deref(),
            Some("it")
        );
    }

    #[test]
    fn codes_are_checked_by_their_primary_subtag() {
        assert_eq!(known_code("pt-BR"), Some("pt"));
        assert_eq!(known_code("no"), Some("nb"));
        assert_eq!(known_code("xx"), None);
        assert!(known_codes().contains(&"uk"));
    }
}
