//! The manual pages: newshound(1) from the command-line definition, and
//! newshound.toml(5) rendered from `docs/configuration.md`, so that the page
//! and the reference are one text. The renderer knows just the Markdown that
//! page uses: headings, paragraphs, bullet lists, tables, code blocks, code
//! spans, bold, italics and links.

use anyhow::Context;

/// The configuration reference, the source of newshound.toml(5).
const CONFIGURATION: &str = include_str!("../../docs/configuration.md");

/// Prints the page of `section` (`"1"`: the commands, `"5"`: the config
/// file) to stdout and returns the exit code.
pub fn print(section: &str, command: clap::Command) -> super::Outcome {
    let page = match section {
        "5" => config_page(),
        _ => command_page(command).context("cannot render the manual page")?,
    };
    // Through print!, so `newshound man | head` ends quietly.
    print!("{page}");
    Ok(0)
}

/// newshound(1), as clap_mangen renders `command`, pointing at the config page.
fn command_page(command: clap::Command) -> std::io::Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    page.extend_from_slice(b".SH \"SEE ALSO\"\n\\fBnewshound.toml\\fR(5)\n");
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// newshound.toml(5), in roff.
pub fn config_page() -> String {
    let mut roff = format!(
        ".TH newshound.toml 5 \"\" \"newshound {}\" \"File Formats Manual\"\n\
         .SH NAME\nnewshound.toml \\- the newshound configuration file\n\
         .SH SYNOPSIS\n\\fI/etc/newshound/newshound.toml\\fR\n.SH DESCRIPTION\n",
        env!("CARGO_PKG_VERSION")
    );
    roff.push_str(&to_roff(CONFIGURATION));
    roff.push_str(".SH \"SEE ALSO\"\n\\fBnewshound\\fR(1)\n");
    roff
}

/// The body of a page: `markdown` from after its `# title` line, in roff.
fn to_roff(markdown: &str) -> String {
    let mut out = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            out.push_str(".PP\n.RS 4\n.nf\n");
            for code in lines.by_ref().take_while(|l| !l.starts_with("```")) {
                push_line(&mut out, &code.replace('\\', "\\e"));
            }
            out.push_str(".fi\n.RE\n");
        } else if line.starts_with("# ") || line.trim().is_empty() {
            continue;
        } else if let Some(heading) = line.strip_prefix("## ") {
            let heading = plain(heading);
            let heading = match heading.contains('[') {
                true => heading,
                false => heading.to_uppercase(),
            };
            out.push_str(&format!(".SH \"{heading}\"\n"));
        } else if let Some(heading) = line.strip_prefix("### ") {
            out.push_str(&format!(".SS \"{}\"\n", plain(heading)));
        } else if line.starts_with('|') {
            let mut rows = vec![line];
            while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
                rows.push(row);
            }
            table(&mut out, &rows);
        } else if let Some(item) = bullet(line) {
            out.push_str(".IP \\(bu 2\n");
            push_line(&mut out, &inline(item));
            while let Some(more) = lines.next_if(|l| l.starts_with("  ") && bullet(l).is_none()) {
                push_line(&mut out, &inline(more.trim()));
            }
        } else {
            out.push_str(".PP\n");
            push_line(&mut out, &inline(line));
            while let Some(more) = lines.next_if(|l| {
                !l.trim().is_empty()
                    && !l.starts_with(['#', '|'])
                    && !l.starts_with("```")
                    && bullet(l).is_none()
            }) {
                push_line(&mut out, &inline(more.trim()));
            }
        }
    }
    out
}

/// The text of a list item's first line, when `line` starts one.
fn bullet(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("- ")
}

/// A table: each row a `.TP` entry. A `key | type | default | meaning`
/// table shows the key in bold with its type and default beside it.
fn table(out: &mut String, rows: &[&str]) {
    let header = cells(rows[0]);
    let is_keys = header == ["key", "type", "default", "meaning"];
    let is_rule = |row: &&&str| row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    let body = rows.iter().skip(1).filter(|r| !is_rule(r));
    for row in body {
        let cells = cells(row);
        let (tag, text) = match (is_keys, cells.as_slice()) {
            (true, [key, kind, default, meaning]) => {
                let default = match default.as_str() {
                    "required" => "required".to_string(),
                    other => format!("default: {other}"),
                };
                (
                    format!("{} ({}; {})", inline(key), inline(kind), inline(&default)),
                    inline(meaning),
                )
            }
            (_, [first, rest @ ..]) => (inline(first), inline(&rest.join("; "))),
            (_, []) => continue,
        };
        out.push_str(".TP\n");
        push_line(out, &tag);
        push_line(out, &text);
    }
}

/// The cells of a table row, split at `|` outside code spans.
fn cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut in_code = false;
    for c in row.chars() {
        match c {
            '`' => in_code = !in_code,
            '|' if !in_code => {
                cells.push(String::new());
                continue;
            }
            _ => {}
        }
        cells.last_mut().expect("one cell at least").push(c);
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}

/// A heading's text without Markdown: code spans as their text.
fn plain(text: &str) -> String {
    text.replace('`', "").replace('"', "\\(dq")
}

/// Markdown inline text → roff: code spans and bold in bold, italics in
/// italics, links as their text, roff's escape character escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some((code, after)) = rest.strip_prefix('`').and_then(|r| r.split_once('`')) {
            // `\%`: a name or path is never hyphenated.
            out.push_str(&format!("\\%\\fB{}\\fR", escape(code).replace('-', "\\-")));
            rest = after;
        } else if let Some((bold, after)) = rest.strip_prefix("**").and_then(|r| r.split_once("**"))
        {
            out.push_str(&format!("\\fB{}\\fR", inline(bold)));
            rest = after;
        } else if let Some((em, after)) = rest
            .strip_prefix('*')
            .filter(|r| r.starts_with(|c: char| c.is_alphanumeric()))
            .and_then(|r| r.split_once('*'))
        {
            out.push_str(&format!("\\fI{}\\fR", inline(em)));
            rest = after;
        } else if let Some((label, target, after)) = link(rest) {
            out.push_str(&inline(label));
            let shown = label.replace('`', "");
            match where_to(target) {
                Some(path) if path == shown => {}
                Some(path) => out.push_str(&format!(" (\\%\\fI{}\\fR)", escape(&path))),
                None => out.push_str(&format!(" <{}>", escape(target))),
            }
            rest = after;
        } else {
            out.push_str(&escape(&c.to_string()));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `[label](target)` at the start of `text`: the label, the target and what follows.
fn link(text: &str) -> Option<(&str, &str, &str)> {
    let (label, after) = text.strip_prefix('[')?.split_once("](")?;
    let (target, after) = after.split_once(')')?;
    Some((label, target, after))
}

/// Where a link in `docs/` leads, named from the repository's root; `None`
/// for a link off the repository.
fn where_to(target: &str) -> Option<String> {
    if target.contains("://") {
        return None;
    }
    let path = target.split('#').next().unwrap_or_default();
    Some(match path.strip_prefix("../") {
        Some(path) => path.to_string(),
        None => format!("docs/{path}"),
    })
}

/// Plain text for roff: the escape character doubled, typographic marks
/// as roff's own characters.
fn escape(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('—', "\\(em")
        .replace('–', "\\(en")
        .replace('…', "...")
        .replace('→', "\\(->")
        .replace('×', "\\(mu")
}

/// Appends one line of text, guarded so that roff never reads it as a request.
fn push_line(out: &mut String, text: &str) {
    if text.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    out.push_str(text);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const MACROS: &[&str] = &[
        ".TH", ".SH", ".SS", ".PP", ".TP", ".IP", ".RS", ".RE", ".nf", ".fi",
    ];

    #[test]
    fn man_config_page_holds_every_heading_of_the_reference() {
        let page = config_page();
        assert!(page.starts_with(".TH newshound.toml 5 "), "{page}");
        for line in CONFIGURATION.lines() {
            let expected = match line.split_once(' ') {
                Some(("##", heading)) if heading.contains('[') => {
                    format!(".SH \"{}\"", plain(heading))
                }
                Some(("##", heading)) => format!(".SH \"{}\"", plain(heading).to_uppercase()),
                Some(("###", heading)) => format!(".SS \"{}\"", plain(heading)),
                _ => continue,
            };
            assert!(
                page.lines().any(|l| l == expected),
                "no {expected} in:\n{page}"
            );
        }
        for section in [
            "[smtp]",
            "[[feed]]",
            "[[feed]] extract",
            "[[rule]]",
            "[[digest]]",
        ] {
            assert!(page.contains(&format!("\"{section}\"\n")), "no {section}");
        }
        for section in ["[[webhook]]", "[daemon]", "[metrics]", "TOP LEVEL"] {
            assert!(page.contains(&format!("\"{section}\"\n")), "no {section}");
        }
    }

    #[test]
    fn man_config_page_shows_keys_with_type_and_default() {
        let page = config_page();
        assert!(
            page.contains(
                ".TP\n\\%\\fBper_host_delay\\fR (duration; default: \\%\\fB\"1s\"\\fR)\n"
            ),
            "{page}"
        );
        assert!(
            page.contains(".TP\n\\%\\fBurl\\fR (string; required)\n"),
            "{page}"
        );
    }

    #[test]
    fn man_config_page_is_roff_without_markdown_left() {
        let page = config_page();
        for line in page.lines() {
            if line.starts_with('.') {
                let request = line.split(' ').next().unwrap_or_default();
                assert!(MACROS.contains(&request), "unknown request: {line}");
            }
            assert!(!line.starts_with('\''), "a control line: {line}");
            assert!(
                !line.starts_with('|') && !line.contains("```"),
                "markdown: {line}"
            );
            assert!(
                !line.contains("](") && !line.contains('`'),
                "markdown: {line}"
            );
            let opened = line.matches("\\fB").count() + line.matches("\\fI").count();
            assert_eq!(opened, line.matches("\\fR").count(), "fonts: {line}");
        }
        assert_eq!(
            page.matches("\n.nf\n").count(),
            page.matches("\n.fi\n").count()
        );
    }

    #[test]
    fn man_inline_markup() {
        assert_eq!(inline("`per-host` x"), "\\%\\fBper\\-host\\fR x");
        assert_eq!(inline("`\"*/30 * * * *\"`"), "\\%\\fB\"*/30 * * * *\"\\fR");
        assert_eq!(
            inline("see [rules](rules.md#errors)."),
            "see rules (\\%\\fIdocs/rules.md\\fR)."
        );
        assert_eq!(
            inline("[`config/a.toml`](../config/a.toml)"),
            "\\%\\fBconfig/a.toml\\fR"
        );
        assert_eq!(inline("[x](https://x.org/)"), "x <https://x.org/>");
        assert_eq!(
            inline("**Sizes** are *whole*"),
            "\\fBSizes\\fR are \\fIwhole\\fR"
        );
        assert_eq!(inline("a\\b — c"), "a\\eb \\(em c");
        assert_eq!(inline("2 * 3"), "2 * 3");
    }

    #[test]
    fn man_table_cells_keep_pipes_inside_code() {
        assert_eq!(cells("| `a|b` | c |"), ["`a|b`", "c"]);
    }

    #[test]
    fn man_line_starting_with_a_dot_is_guarded() {
        let mut out = String::new();
        push_line(&mut out, ".ci/run");
        assert_eq!(out, "\\&.ci/run\n");
    }
}
