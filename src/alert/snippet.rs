//! Snippets: the words around a hit, cut at word boundaries, with ellipses.

/// Characters of context kept on each side of the hit.
const CONTEXT: usize = 120;

/// The text around `text[start..end]`, about `CONTEXT` characters each side,
/// on one line, with "…" where it was cut.
pub fn snippet(text: &str, start: usize, end: usize) -> String {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let from = cut_before(text, start);
    let to = cut_after(text, end);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&one_line(&text[from..to]));
    if to < text.len() {
        out.push('…');
    }
    out
}

/// A byte offset about `CONTEXT` characters before `at`, at a word start.
fn cut_before(text: &str, at: usize) -> usize {
    let Some((from, _)) = text[..at].char_indices().rev().nth(CONTEXT) else {
        return 0;
    };
    match text[from..at].find(char::is_whitespace) {
        Some(space) => from + space + 1,
        None => from,
    }
}

/// A byte offset about `CONTEXT` characters after `at`, at a word end.
fn cut_after(text: &str, at: usize) -> usize {
    let Some((to, _)) = text[at..].char_indices().nth(CONTEXT) else {
        return text.len();
    };
    let to = at + to;
    match text[at..to].rfind(char::is_whitespace) {
        Some(space) if space > 0 => at + space,
        _ => to,
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole() {
        assert_eq!(snippet("A ceasefire\nheld.", 2, 11), "A ceasefire held.");
    }

    #[test]
    fn long_text_is_cut_at_words_with_ellipses() {
        let text = format!("{} ceasefire {}", "word ".repeat(100), "more ".repeat(100));
        let at = text.find("ceasefire").unwrap();
        let s = snippet(&text, at, at + 9);
        assert!(s.starts_with("…word") && s.ends_with("more…"), "{s}");
        assert!(s.contains("ceasefire"));
        assert!(s.chars().count() < 2 * CONTEXT + 20);
    }
}
