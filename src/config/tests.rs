//! Tests of config validation: what is accepted, and the exact errors.

use super::*;

fn parse(source: &str) -> Result<Config, String> {
    Config::parse(Path::new("n.toml"), source).map_err(|e| e.to_string())
}

/// The error `source` is refused with.
fn refused(source: &str) -> String {
    parse(source).expect_err("the config is refused")
}

/// Asserts `source` is refused with an error that says `message`.
#[track_caller]
fn assert_refused(source: &str, message: &str) {
    let err = refused(source);
    assert!(err.contains(message), "{err}");
}

/// Asserts `source` is refused with an error that starts with `start`.
#[track_caller]
fn assert_refused_at(source: &str, start: &str) {
    let err = refused(source);
    assert!(err.starts_with(start), "{err}");
}

const FEED: &str =
    "[[feed]]\nname = \"a\"\nurl = \"https://example.org/feed.xml\"\ntags = [\"world\"]\n";

#[test]
fn a_full_config_is_typed_with_defaults() {
    let config = parse(&format!(
        "{FEED}\n[[rule]]\nname = \"c\"\nquery = 'ceasefire OR \"cease fire\"'\nnotify = [\"immediate\"]\nto = [\"desk@example.org\"]\nfeeds = [\"world\"]\n\n[daemon]\nbackfill = \"2h\"\n"
    ))
    .unwrap();
    assert_eq!(config.feeds[0].interval, Duration::from_secs(900));
    assert_eq!(config.daemon.backfill, Duration::from_secs(7200));
    assert_eq!(config.rule_set.len(), 1);
    assert!(config.rules[0].immediate);
    assert!(config.rules[0].applies_to(&config.feeds[0]));
    assert!(config.smtp.is_none());
}

#[test]
fn syntax_error_names_line_and_column() {
    assert_refused_at("[[feed]]\nname = \"a\nurl = 1\n", "n.toml:2:");
}

#[test]
fn duplicate_feed_name_points_at_the_second() {
    assert_eq!(
        refused(&format!("{FEED}{FEED}")),
        "n.toml:6:8: duplicate feed name \"a\"\n6 | name = \"a\"\n  |        ^"
    );
}

#[test]
fn empty_query_is_refused_with_a_caret() {
    assert_eq!(
        refused(&format!("{FEED}[[rule]]\nname = \"r\"\nquery = \"\"\n")),
        "n.toml:7:10: rule \"r\": empty query\n7 | query = \"\"\n  |          ^"
    );
}

#[test]
fn query_error_column_is_inside_the_query() {
    assert_refused_at(
        "[[rule]]\nname = \"r\"\nquery = 'a OR \"b'\n",
        "n.toml:3:15: rule \"r\": unclosed quote",
    );
}

#[test]
fn unknown_key_is_an_error() {
    assert_refused_at(
        "[[feed]]\nname = \"a\"\nurl = \"https://e.org/\"\nintervall = \"5m\"\n",
        "n.toml:4:1: unknown field `intervall`",
    );
}

#[test]
fn immediate_without_recipients_is_refused() {
    assert_refused(
        "[[rule]]\nname = \"r\"\nquery = \"x\"\nnotify = [\"immediate\"]\n",
        "notifies \"immediate\" but has no recipients",
    );
}

#[test]
fn rule_feeds_must_exist() {
    assert_refused(
        &format!("{FEED}[[rule]]\nname = \"r\"\nquery = \"x\"\nfeeds = [\"sport\"]\n"),
        "no feed is named or tagged \"sport\"",
    );
}

#[test]
fn too_short_interval_is_refused() {
    assert_refused(
        "[[feed]]\nname = \"a\"\nurl = \"https://e.org/\"\ninterval = \"10s\"\n",
        "must be from 1m to 30days",
    );
}

#[test]
fn smtp_security_follows_scheme_and_host() {
    let smtp = |url: &str| {
        parse(&format!(
            "[smtp]\nurl = \"{url}\"\nfrom = \"n@example.org\"\n"
        ))
        .map(|c| c.smtp.unwrap())
    };
    let local = smtp("smtp://127.0.0.1:2525").unwrap();
    assert_eq!((local.security, local.port), (SmtpSecurity::Plain, 2525));
    assert_eq!(
        smtp("smtp://mail.example.org").unwrap().security,
        SmtpSecurity::StartTls
    );
    let tls = smtp("smtps://mail.example.org").unwrap();
    assert_eq!((tls.security, tls.port), (SmtpSecurity::Implicit, 465));
    assert!(
        smtp("http://mail.example.org")
            .unwrap_err()
            .contains("unsupported SMTP URL scheme")
    );
}

#[test]
fn missing_file_is_named() {
    let err = Config::load(Path::new("/nonexistent/newshound.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/newshound.toml: cannot read the config file")
    );
}

#[test]
fn addresses_are_checked_at_load() {
    assert_refused_at(
        "[[rule]]\nname = \"r\"\nquery = \"x\"\nnotify = [\"immediate\"]\nto = [\"a@b@c\"]\n",
        "n.toml:5:7: rule \"r\": \"a@b@c\" is not a mail address",
    );
    assert_refused_at(
        "[smtp]\nurl = \"smtp://127.0.0.1\"\nfrom = \"x <a@b.org\"\n",
        "n.toml:3:8: \"x <a@b.org\" is not a mail address",
    );
}

#[test]
fn smtp_url_must_not_carry_secrets() {
    assert_refused(
        "[smtp]\nurl = \"smtp://u:secret@mail.example.org\"\nfrom = \"a@b.org\"\n",
        "not in the URL",
    );
}

#[test]
fn bounds_and_log_level_are_checked() {
    assert_refused(
        "[[feed]]\nname = \"a\"\nurl = \"https://e.org/\"\ninterval = \"100000years\"\n",
        "must be from 1m to 30days",
    );
    assert_refused_at(
        "[daemon]\nlog_level = \"loud!\"\n",
        "n.toml:2:13: invalid log_level",
    );
}

#[test]
fn query_error_caret_survives_escapes() {
    let err = parse("[[rule]]\nname = \"r\"\nquery = \"\\\"cease fire\\\" AND )\"\n").unwrap_err();
    let line = "query = \"\\\"cease fire\\\" AND )\"";
    let column = line.find(')').unwrap() + 1;
    assert!(
        err.starts_with(&format!(
            "n.toml:3:{column}: rule \"r\": unbalanced parenthesis"
        )),
        "{err}"
    );
}

#[test]
fn config_values_that_would_panic_later_are_refused_at_load() {
    let cases = [
        (
            "concurrency = 9223372036854775807",
            "must be a whole number from 1 to 4096",
        ),
        (
            "per_host_connections = 9223372036854775000",
            "from 1 to 256",
        ),
        (
            "fetch_timeout = \"18446744073709551615s\"",
            "must be from 1s to 1h",
        ),
        (
            "connect_timeout = \"500000000000years\"",
            "must be from 1s to 10m",
        ),
        ("extract_timeout = \"2h\"", "must be from 1ms to 10m"),
        ("page_max_bytes = 10", "from 1024 to 1073741824"),
        ("max_pages_per_poll = 0", "from 1 to 100000"),
        ("keep_days = 40000", "from 1 to 36500"),
        ("backfill = \"20years\"", "must be at most"),
    ];
    for (line, message) in cases {
        let err = parse(&format!("[daemon]\n{line}\n")).unwrap_err();
        let column = line.find('=').unwrap() + 3;
        assert!(
            err.starts_with(&format!("n.toml:2:{column}: ")),
            "{line}: {err}"
        );
        assert!(err.contains(message), "{line}: {err}");
    }
}

#[test]
fn a_schedule_that_never_fires_is_refused_at_its_position() {
    let digest = |schedule: &str| {
        parse(&format!(
            "[[digest]]\nname = \"d\"\nschedule = \"{schedule}\"\nto = [\"a@example.org\"]\n"
        ))
    };
    let err = digest("0 0 30 2 *").unwrap_err();
    assert!(err.starts_with("n.toml:3:12: "), "{err}");
    assert!(
        err.contains("does not fire in the next four years"),
        "{err}"
    );
    // 29 February comes every four years.
    assert!(digest("0 0 29 2 *").is_ok());
}

#[test]
fn a_feed_language_is_a_known_code() {
    let config = parse(&format!("{FEED}language = \"pt-BR\"\n")).unwrap();
    assert_eq!(config.feeds[0].language, Some("pt"));
    let err = refused(&format!("{FEED}language = \"xx\"\n"));
    assert!(
        err.starts_with(
            "n.toml:5:12: unknown language code \"xx\": use an ISO 639-1 code, one of "
        ),
        "{err}"
    );
    assert!(
        err.contains(" de, ") && err.contains(" ru, ") && err.contains(" uk, "),
        "{err}"
    );
}
