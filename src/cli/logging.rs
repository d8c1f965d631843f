//! Logs on stderr: human-readable lines on a terminal or in a file, and,
//! under systemd's journal, lines without timestamps (the journal stamps
//! them) prefixed with their syslog priority, so `journalctl -p warning`
//! finds the warnings.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Starts logging; `RUST_LOG` wins over the config's `log_level`.
pub fn init(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match stderr_is_journal() {
        true => builder
            .with_ansi(false)
            .event_format(Journal(
                tracing_subscriber::fmt::format()
                    .without_time()
                    .with_target(false)
                    .with_level(false),
            ))
            .try_init(),
        false => builder.try_init(),
    };
}

/// True when stderr is the journal's stream: `$JOURNAL_STREAM` names its
/// device and inode (checked, so a child whose stderr was redirected
/// elsewhere does not write priorities into a file).
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = stream.to_str().and_then(|s| s.split_once(':')) else {
        return false;
    };
    std::fs::metadata("/proc/self/fd/2")
        .is_ok_and(|m| dev.parse() == Ok(m.dev()) && ino.parse() == Ok(m.ino()))
}

/// Prefixes every line with `<N>`, its syslog priority (sd-daemon(3)).
struct Journal<F>(F);

impl<S, N, F> FormatEvent<S, N> for Journal<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        // Every line of a multi-line message (a config error with its
        // caret) gets the priority, or the journal files the rest as info.
        let prefix = format!("<{}>", priority(*event.metadata().level()));
        for part in line.trim_end_matches('\n').split('\n') {
            writeln!(writer, "{prefix}{part}")?;
        }
        Ok(())
    }
}

fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}
