//! The command line: parse arguments, run one command, print, and map the
//! outcome to an exit code (0 success, 1 a run-time failure, 2 an invalid
//! config or usage). No business logic lives here.

mod backtest;
mod backup;
mod check;
mod digest;
mod discover;
mod extract;
mod inspect;
mod logging;
mod man;
mod opml;
mod outcome;
mod poll;
mod run;
mod search;
mod status;
mod story;
mod test_mail;
mod test_rules;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::config::Config;
use crate::daemon::database_path;
use crate::extract::{Guide, Hint, SelectorRule, Tuning};
use outcome::{FAILED, INVALID, Outcome, exit_code, invalid};

/// newshound: watch news feeds for the terms you care about.
#[derive(Debug, Parser)]
#[command(name = "newshound", version, about)]
pub struct Args {
    /// The config file.
    #[arg(long, global = true, default_value = "/etc/newshound/newshound.toml")]
    config: PathBuf,
    /// Where the database and the Maildir live (overrides the config's state_dir).
    #[arg(long, global = true)]
    state_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: poll, match and deliver until SIGTERM or SIGINT.
    Run,
    /// Poll every feed (or one) now, close the digests that are due, send
    /// every pending mail, and exit.
    Poll {
        /// Poll only the feed with this name.
        #[arg(long)]
        feed: Option<String>,
    },
    /// Validate the config and print what it would watch.
    Check,
    /// Serve the read-only web interface over the database, without polling.
    Web {
        /// Listen here instead of `[web] listen` (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Feeds (failing first: last success, last error, next poll), and the outbox.
    Status {
        /// One JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a feed's normalised entries, one JSON object per line.
    Inspect {
        /// A feed file or an http(s) URL.
        source: String,
    },
    /// Which rules match which articles (JSON lines), without the database.
    TestRules {
        /// Try only the rule with this name.
        #[arg(long, conflicts_with = "query")]
        rule: Option<String>,
        /// Try this query instead of the config's rules (no config needed).
        #[arg(long)]
        query: Option<String>,
        /// JSON Lines of articles ({"id", "feed", "title", "summary", "body"}),
        /// feed files or HTML pages.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// The main text of an article page (a file or an http(s) URL), or of
    /// every DIR/ID.html with --batch.
    Extract {
        /// An HTML file or an http(s) URL.
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        source: Option<String>,
        /// Take the text of the elements this CSS selector picks.
        #[arg(long)]
        selector: Option<String>,
        /// With --selector: leave out what these selectors pick.
        #[arg(long, requires = "selector")]
        remove: Vec<String>,
        /// Print JSON with the title, author, published time and language.
        #[arg(long)]
        json: bool,
        /// Extract every .html file in this folder.
        #[arg(long, requires = "out")]
        batch: Option<PathBuf>,
        /// Where --batch writes {"ID": {"articleBody": text}}.
        #[arg(long, requires = "batch")]
        out: Option<PathBuf>,
        /// The article's summary as its feed gives it, to find it in the page.
        #[arg(long, conflicts_with = "batch")]
        summary: Option<String>,
        /// With --batch: a JSON file of {"ID": {"summary": text}} hints.
        #[arg(long, requires = "batch")]
        hints: Option<PathBuf>,
        /// With --batch: the extractor's knobs, name=value,… (for the
        /// extraction benchmark's cross-validation).
        #[arg(long, requires = "batch", hide = true)]
        tuning: Option<String>,
    },
    /// Subscription lists: import an OPML file as [[feed]] TOML, or export
    /// the configured feeds as OPML 2.0.
    Opml {
        #[command(subcommand)]
        action: OpmlAction,
    },
    /// Find the feeds a web page advertises and print them as [[feed]] TOML.
    Discover {
        /// The page, e.g. https://news.example.org/
        url: String,
    },
    /// Send one test mail through the configured transport and print what
    /// the server said.
    TestMail {
        /// The recipient (default: the first recipient of the rules).
        #[arg(long)]
        to: Option<String>,
    },
    /// Send what a digest holds now (--now), or print the HTML it would
    /// send without changing anything (--preview).
    #[command(group(clap::ArgGroup::new("mode").required(true).args(["now", "preview"])))]
    Digest {
        /// The digest's name.
        name: String,
        /// Close the digest now and send it, outside its schedule.
        #[arg(long)]
        now: bool,
        /// Print the digest's HTML to stdout; nothing is sent or marked.
        #[arg(long)]
        preview: bool,
    },
    /// Search the archive with a query in the rules' syntax, best first.
    Search {
        /// The query, e.g. 'ceasefire OR 停火 -football'.
        query: String,
        /// Only this feed (or the feeds with this tag).
        #[arg(long)]
        feed: Option<String>,
        /// Only entries from this recent, e.g. 7d, 12h.
        #[arg(long, value_parser = humantime::parse_duration)]
        since: Option<std::time::Duration>,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Write a consistent copy of the database to FILE, even while the
    /// daemon runs.
    Backup {
        /// Where the copy goes; it must not exist.
        file: PathBuf,
    },
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `newshound man > newshound.1`;
    /// with `--section 5`, newshound.toml(5), the config file's page.
    Man {
        /// 1: the commands; 5: the config file.
        #[arg(long, default_value = "1", value_parser = ["1", "5"])]
        section: String,
    },
    /// The outlets and times of one story: entry ID (as `search` shows
    /// it) and every copy of it.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["id", "batch"])))]
    Story {
        /// The number of any entry of the story.
        #[arg(conflicts_with = "batch")]
        id: Option<i64>,
        /// For evaluation: cluster the entries of a JSON-lines file
        /// ({"id", "feed", "title", "text", "published"} per line, in
        /// arrival order) into stories in a new database in --state-dir,
        /// printing each entry's story.
        #[arg(long)]
        batch: Option<PathBuf>,
        /// With --batch: the share of a new entry's text an earlier one must
        /// hold (default: the daemon's).
        #[arg(long, requires = "batch")]
        similarity: Option<f64>,
    },
    /// What a rule would have caught in the stored archive.
    Backtest {
        /// The rule's name.
        rule: String,
        /// How far back to look, e.g. 30d, 12h.
        #[arg(long, default_value = "30d", value_parser = humantime::parse_duration)]
        since: std::time::Duration,
    },
}

#[derive(Debug, Subcommand)]
enum OpmlAction {
    /// Print [[feed]] TOML for the feeds in an OPML file.
    Import {
        /// The OPML file.
        file: PathBuf,
    },
    /// Print OPML 2.0 for the configured feeds.
    Export,
}

/// Lets a command whose output goes to a reader that stops early
/// (`newshound inspect FEED | head`) end quietly, as Unix tools do, instead
/// of reporting a panic: `print!` panics when stdout is a closed pipe, and
/// that panic alone ends the process, with the code a pipe's reader
/// expects of a writer it stopped. SIGPIPE itself stays ignored (Rust's
/// default): restored, it killed `poll` whenever a server closed a TLS
/// connection while the handshake was writing to it.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE);
        }
        report(info);
    }));
}

/// The exit status of a writer whose reader stopped: 128 + SIGPIPE, as a
/// shell reports a process SIGPIPE ended.
const CLOSED_PIPE: i32 = 141;

/// Makes every file and directory newshound creates private to its user
/// (0600 and 0700), whatever umask it was started with: the database and
/// its WAL, the lock files, the Maildir's mails and backups hold what the
/// user watches, and under a umask of 022 they were world-readable.
fn private_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    private_files();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { INVALID } else { 0 });
        }
    };
    if !matches!(args.command, Command::Run) {
        quiet_on_closed_pipe();
    }
    ExitCode::from(exit_code(command(&args)))
}

/// Runs the command `args` name.
fn command(args: &Args) -> Outcome {
    match &args.command {
        Command::Inspect { source } => block_on(inspect::inspect(source)),
        Command::Discover { url } => block_on(discover::discover(url)),
        Command::Completions { shell } => {
            // Written through print!, so a reader that stops early ends it
            // quietly like any other output.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Args::command(), "newshound", &mut script);
            print!("{}", String::from_utf8_lossy(&script));
            Ok(0)
        }
        Command::Man { section } => man::print(section, Args::command()),
        Command::Check => {
            let config = load(&args.config)?;
            check::check(&config, &state_dir(args, &config))
        }
        Command::Poll { feed } => with_config(args, |config, dir| {
            block_on(poll::poll(config, dir, feed.as_deref()))
        }),
        Command::Run => with_config(args, |config, dir| block_on(run::run(config, dir))),
        Command::TestRules { rule, query, files } => {
            let trial = match query {
                Some(q) => test_rules::from_query(q)?,
                None => test_rules::from_config(&load(&args.config)?, rule.as_deref())?,
            };
            test_rules::test_rules(&trial, files)
        }
        Command::Extract {
            source,
            selector,
            remove,
            json,
            batch,
            out,
            summary,
            hints,
            tuning,
        } => {
            let rule = match selector {
                Some(css) => {
                    Some(SelectorRule::parse(css, remove).map_err(|e| invalid(e.to_string()))?)
                }
                None => None,
            };
            let tuning = match tuning {
                Some(spec) => Tuning::parse(spec).map_err(|e| invalid(e.to_string()))?,
                None => Tuning::default(),
            };
            match (source, batch, out) {
                (_, Some(dir), Some(out)) => {
                    let batch = extract::Batch {
                        rule: rule.as_ref(),
                        hints: hints.as_deref(),
                        tuning,
                    };
                    extract::extract_batch(dir, out, &batch)
                }
                (Some(source), _, _) => {
                    let hint = summary.clone().map(|summary| Hint { summary });
                    let guide = Guide {
                        rule: rule.as_ref(),
                        hint: hint.as_ref(),
                        tuning,
                    };
                    block_on(extract::extract_one(source, &guide, *json))
                }
                _ => Ok(INVALID),
            }
        }
        Command::Opml {
            action: OpmlAction::Import { file },
        } => opml::import(file),
        Command::Opml {
            action: OpmlAction::Export,
        } => opml::export(&load(&args.config)?),
        Command::TestMail { to } => with_config(args, |config, dir| {
            block_on(test_mail::test_mail(&config, &dir, to.as_deref()))
        }),
        Command::Digest { name, preview, .. } => with_config(args, |config, dir| {
            block_on(digest::digest(config, dir, name, *preview))
        }),
        Command::Search {
            query,
            feed,
            since,
            limit,
        } => with_config(args, |config, dir| {
            let search = search::Search {
                query,
                feed: feed.as_deref(),
                since: *since,
                limit: *limit,
            };
            search::search(&config, &dir, &search)
        }),
        Command::Backup { file } => with_config(args, |_, dir| backup::backup(&dir, file)),
        Command::Backtest { rule, since } => with_config(args, |config, dir| {
            backtest::backtest(&config, &dir, rule, *since)
        }),
        Command::Story {
            batch: Some(file),
            similarity,
            ..
        } => {
            let Some(dir) = args.state_dir.clone() else {
                return Err(invalid(
                    "story --batch needs --state-dir, a directory of its own",
                ));
            };
            let mut daemon = crate::config::DaemonConfig::default();
            daemon.story_similarity = similarity.unwrap_or(daemon.story_similarity);
            story::batch(&dir, file, crate::pipeline::story_rules(&daemon))
        }
        Command::Story { id, .. } => {
            with_config(args, |_, dir| story::story(&dir, id.unwrap_or_default()))
        }
        Command::Web { listen } => with_config(args, |config, dir| {
            block_on(web::web(config, &dir, *listen))
        }),
        Command::Status { json } => {
            let config = load(&args.config)?;
            status::status(&config, &state_dir(args, &config), *json)
        }
    }
}

fn with_config(args: &Args, command: impl FnOnce(Config, PathBuf) -> Outcome) -> Outcome {
    let config = load(&args.config)?;
    logging::init(&config.daemon.log_level);
    let dir = state_dir(args, &config);
    command(config, dir)
}

fn load(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

/// `--state-dir`, else the config's `state_dir`, else systemd's
/// `$STATE_DIRECTORY`, else the XDG data directory.
fn state_dir(args: &Args, config: &Config) -> PathBuf {
    if let Some(dir) = &args.state_dir {
        return dir.clone();
    }
    if let Some(dir) = &config.state_dir {
        return dir.clone();
    }
    if let Some(dir) = std::env::var_os("STATE_DIRECTORY").filter(|d| !d.is_empty()) {
        // systemd may list several directories separated by ':'.
        let first = dir
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string();
        return PathBuf::from(first);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("newshound")
}

/// Runs `work` on a new async runtime. Once it is done the runtime waits
/// at most a second for blocking threads still busy (an extraction given
/// up at its deadline), so that a stop never hangs on one.
fn block_on<F: std::future::Future>(work: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    let output = runtime.block_on(work);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    output
}
