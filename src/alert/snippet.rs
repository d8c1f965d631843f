//! Snippets: the words around a hit, cut at word boundaries, with
//! ellipses, and the hits in them marked for the mail to highlight.

/// Characters of context kept on each side of the hit.
const CONTEXT: usize = 120;

/// Opens a highlighted hit in a snippet (a private-use character: feed text
/// never carries it, since it is stripped from what a snippet quotes).
pub const MARK_OPEN: char = '\u{E000}';
/// Closes a highlighted hit.
pub const MARK_CLOSE: char = '\u{E001}';

/// The text around `text[start..end]`, about `CONTEXT` characters each side,
/// on one line, with "…" where it was cut, and each of `marks` (byte
/// ranges of `text`, in order) inside it between [`MARK_OPEN`] and
/// [`MARK_CLOSE`].
pub fn snippet(text: &str, start: usize, end: usize, marks: &[(usize, usize)]) -> String {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let from = cut_before(text, start);
    let to = cut_after(text, end);
    let mut window = String::with_capacity(to - from + 8);
    let mut at = from;
    for &(mark_start, mark_end) in marks {
        let inside = mark_start >= at && mark_end <= to && mark_start < mark_end;
        if !inside || !text.is_char_boundary(mark_start) || !text.is_char_boundary(mark_end) {
            continue;
        }
        push_plain(&mut window, &text[at..mark_start]);
        window.push(MARK_OPEN);
        push_plain(&mut window, &text[mark_start..mark_end]);
        window.push(MARK_CLOSE);
        at = mark_end;
    }
    push_plain(&mut window, &text[at..to]);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&one_line(&window));
    if to < text.len() {
        out.push('…');
    }
    out
}

/// A marked snippet as HTML for mail: escaped, each hit in a `<mark>`
/// styled inline (mail clients drop style sheets).
pub fn snippet_html(marked: &str) -> String {
    snippet_marked(marked, "<mark style=\"background:#fff3a3\">")
}

/// A marked snippet as HTML: escaped, each hit between `open` and `</mark>`.
pub fn snippet_marked(marked: &str, open: &str) -> String {
    super::escape(marked)
        .replace(MARK_OPEN, open)
        .replace(MARK_CLOSE, "</mark>")
}

/// A marked snippet as plain text: each hit between asterisks, as
/// plain-text mail emphasises.
pub fn snippet_text(marked: &str) -> String {
    marked
        .chars()
        .map(|c| match c {
            MARK_OPEN | MARK_CLOSE => '*',
            c => c,
        })
        .collect()
}

/// A marked snippet without its marks.
pub fn snippet_plain(marked: &str) -> String {
    marked
        .chars()
        .filter(|c| *c != MARK_OPEN && *c != MARK_CLOSE)
        .collect()
}

/// `text` without the marker characters, so feed text cannot forge a mark.
fn push_plain(out: &mut String, text: &str) {
    out.extend(text.chars().filter(|c| *c != MARK_OPEN && *c != MARK_CLOSE));
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
        assert_eq!(
            snippet("A ceasefire\nheld.", 2, 11, &[]),
            "A ceasefire held."
        );
    }

    #[test]
    fn hits_are_marked_and_forged_marks_dropped() {
        let text = "Truce: a ceasefire, then another ceasefire.\u{E000}";
        let first = text.find("ceasefire").unwrap();
        let second = text.rfind("ceasefire").unwrap();
        let marks = [(first, first + 9), (second, second + 9)];
        assert_eq!(
            snippet(text, first, first + 9, &marks),
            "Truce: a \u{E000}ceasefire\u{E001}, then another \u{E000}ceasefire\u{E001}."
        );
    }

    #[test]
    fn long_text_is_cut_at_words_with_ellipses() {
        let text = format!("{} ceasefire {}", "word ".repeat(100), "more ".repeat(100));
        let at = text.find("ceasefire").unwrap();
        let s = snippet(&text, at, at + 9, &[]);
        assert!(s.starts_with("…word") && s.ends_with("more…"), "{s}");
        assert!(s.contains("ceasefire"));
        assert!(s.chars().count() < 2 * CONTEXT + 20);
    }
}
