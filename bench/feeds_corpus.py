#!/usr/bin/env python3
"""Feed-corpus evaluation: every feed of the evaluation corpus through
`newshound inspect FILE`, with robustness figures and agreement with the
expected results other parsers' test suites ship beside their feeds.

  python3 bench/feeds_corpus.py                      # full corpus, 2 jobs
  python3 bench/feeds_corpus.py --limit 200          # a quick run (evenly spread sample)
  python3 bench/feeds_corpus.py --failures /tmp/feed-failures.jsonl
  python3 bench/feeds_corpus.py --gate-crashes       # CI: exit 1 on any crash or hang

The corpus is read from ../shared/corpus (see its README.md and MANIFEST.tsv);
when it is absent the command says so and exits 0. Nothing is copied into
the repository.

What it measures

* Robustness, over every MANIFEST row of kind `feed` under feeds/real/ and
  feeds/edge/: crashes (exit 101, or killed by a signal we did not send),
  hangs (still running after --timeout; we kill it), exit codes, the first
  stderr line, entries printed and each child's peak RSS (os.wait4).
* Real feeds (feeds/real/): read (exit 0, >= 1 entry), empty (exit 0, no
  entry), refused (exit 1); entries with an identity from the feed
  (`guid:` or `link:` id, rather than a `hash:` of the text); entries with
  a title or a link, and the feeds holding an entry with neither.
* Agreement with expected results, per source format:
    feed-rs       `.serde.json` (feed-rs's model; newshound parses with feed-rs)
    kde           KDE syndication `.expected` dumps (titles are HTML, dates
                  are ctime strings in UTC)
    rss-parser    rss-parser `output/*.json` (`isoDate`, else `pubDate`)
    gofeed        gofeed JSON: its Atom, RSS, JSON Feed and universal models;
                  only the fields present are expectations
    podcastparser podcastparser JSON; it sorts episodes newest first, so its
                  episodes are paired with entries by guid, then link, then
                  title, and only then by position
    feedparser    the `Expect:` Python expression in each case's XML comment;
                  the simple shapes `entries[N]['title'|'link'|'id'|
                  'published'|'published_parsed'|'updated'|'updated_parsed']
                  == value` (chained equalities too) are compared, every other
                  clause (bozo, feed[...], other keys) is "not comparable"
    feedjira      expectations about the first entry's content only: not
                  comparable
  Everywhere else entry i is compared with newshound's entry i.
  Titles: whitespace collapsed; an expected title is read as a reader sees
  it (tags dropped, entities decoded) when its format says it is HTML, as
  text when it says text, and either way when the format does not say
  (feedparser, gofeed, rss-parser, podcastparser). newshound's title is
  taken as the plain text it claims to be (only whitespace collapsed), so
  an entity it left undecoded is a disagreement.
  Links: compared exactly after stripping surrounding whitespace. An
  expected link that is relative, or that the reference resolved against
  the URL it fetched the feed from (which `inspect FILE` has no way of
  knowing), counts as "unresolvable without a base" when newshound gives no
  link, and is left out of the agreement rate.
  Dates: newshound's `published` (its publication time, else its update
  time) against the reference's publication time, else its update time,
  as UTC instants to the second.
  Ids: newshound's `guid:` id against an expected id that occurs in the
  feed's own text (so ids a reference generated are not compared).
  Entry counts: compared for the formats that list every entry.

The summary ends with: the feeds a reference read but newshound gave no
entry for, grouped by newshound's reason (their expected values count as
disagreements in the table); the value disagreements on entries newshound
did give, by category (entities left encoded, markup left in, trailing
slash, host case changed, time-zone offset, no guid, entry order differs...);
and 15 examples, round-robin over those categories. --failures writes every
failing feed (crashed, hung, refused, empty real feed, entry without title
and link, any disagreement) as one JSON line with all its disagreements.

Exit status: 0; 1 with --gate-crashes when a feed crashed or hung; 2 when
the binary is missing (build it with `cargo build`).
"""
import argparse
import ast
import collections
import concurrent.futures
import dataclasses
import datetime as dt
import email.utils
import html
import html.parser
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.timezone.utc
FIELDS = ("title", "link", "date", "id")
FORMATS = ("feed-rs", "kde", "rss-parser", "gofeed", "podcastparser", "feedparser", "feedjira")
# Formats whose expectations list every entry, so entry counts can be compared.
FULL_MODEL = {"feed-rs", "kde", "rss-parser", "gofeed"}


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    """One feed of the corpus and where its expected results are."""

    rel: str  # path inside the corpus, as in the MANIFEST
    path: Path
    section: str  # "real" or "edge"
    source: str  # the test suite it comes from, e.g. "feedparser"
    expected: list  # corpus-relative paths, or ["embedded"]


def load_cases(corpus):
    """The MANIFEST's `feed` rows under feeds/real/ and feeds/edge/."""
    cases = []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            rel = row.get("path", "")
            parts = rel.split("/")
            if row.get("kind") != "feed" or len(parts) < 4 or parts[0] != "feeds":
                continue
            if parts[1] not in ("real", "edge"):
                continue
            expected = [e.strip() for e in row.get("expected_result", "").split(";") if e.strip()]
            if expected and expected[0].startswith("embedded"):
                expected = ["embedded"]
            cases.append(Case(rel, corpus / rel, parts[1], parts[2], expected))
    return cases


def spread(cases, limit):
    """At most `limit` cases, evenly spread over the list so that a quick
    run still touches every test suite."""
    if limit is None or limit >= len(cases):
        return cases
    step = len(cases) / limit
    return [cases[int(i * step)] for i in range(limit)]


def read_text(path):
    """A file's text, never failing: UTF-32/UTF-16 by byte-order mark or by
    the zero bytes around `<`, else UTF-8, else Latin-1."""
    data = path.read_bytes()
    for bom, codec in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace")
    for start, codec in ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                         (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le")):
        if data.startswith(start):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def without_comments(text):
    """The text without XML comments (feedparser's cases state their
    expected values in one, which must not count as the feed's own text)."""
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


# ---------------------------------------------------------------------------
# Running newshound
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """What one `newshound inspect FILE` did."""

    exit_code: int = None  # None when killed by a signal
    signal: int = None
    crashed: bool = False
    hung: bool = False
    stderr: str = ""  # first line
    entries: list = dataclasses.field(default_factory=list)
    bad_lines: int = 0  # stdout lines that are not JSON objects
    rss_kb: int = 0
    seconds: float = 0.0


def run_inspect(binary, path, timeout):
    """Runs `binary inspect path` with a timeout and returns a Run.

    The child is waited for with waitid(WNOWAIT) first, so the timeout's
    kill can never hit a reaped (and possibly reused) pid, then reaped with
    wait4 for its rusage (peak RSS). It runs in its own session, and the
    timeout kills its whole process group."""
    run = Run()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(binary), "inspect", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            start_new_session=True,  # its own process group, killed whole on timeout
        )
        lock = threading.Lock()
        state = {"exited": False, "killed": False}

        def kill():
            with lock:
                if not state["exited"]:
                    state["killed"] = True
                    os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            while True:
                try:
                    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
                    break
                except InterruptedError:
                    continue
            with lock:
                state["exited"] = True
        finally:
            timer.cancel()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        run.seconds = time.monotonic() - start
        run.rss_kb = usage.ru_maxrss
        if os.WIFSIGNALED(status):
            run.signal = os.WTERMSIG(status)
        else:
            run.exit_code = os.WEXITSTATUS(status)
        run.hung = state["killed"]
        run.crashed = run.exit_code == 101 or (run.signal is not None and not run.hung)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace").strip()
    run.stderr = stderr.splitlines()[0][:300] if stderr else ""
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            run.bad_lines += 1
            continue
        if isinstance(entry, dict):
            run.entries.append(entry)
        else:
            run.bad_lines += 1
    return run


def run_all(cases, binary, jobs, timeout):
    """Runs every case on a thread pool; returns {rel: Run}, with a progress
    line on stderr when it is a terminal."""
    results = {}
    show = sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_inspect, binary, c.path, timeout): c for c in cases}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            results[futures[future].rel] = future.result()
            if show and (done % 50 == 0 or done == len(cases)):
                print(f"\r  {done}/{len(cases)} feeds run", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    return results


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def collapse(text):
    """Whitespace runs to one space, NFC, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


class _TextOf(html.parser.HTMLParser):
    """The text a reader sees in an HTML fragment."""

    BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
             "blockquote", "pre", "hr", "table", "section", "article", "header", "footer", "dd", "dt"}
    HIDDEN = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(fragment):
    """An HTML fragment as a reader sees it: tags dropped, entities decoded,
    whitespace collapsed."""
    parser = _TextOf()
    try:
        parser.feed(fragment or "")
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; be safe anyway
        return collapse(html.unescape(re.sub(r"<[^>]*>", " ", fragment or "")))
    return collapse("".join(parser.parts))


def title_forms(raw, kind):
    """The readings of an expected title: kind is "html", "text" or
    "unknown" (both readings are accepted)."""
    if kind == "html":
        return [html_text(raw)]
    if kind == "text":
        return [collapse(raw)]
    forms = [html_text(raw), collapse(raw)]
    return forms if forms[0] != forms[1] else forms[:1]


def parse_date(value):
    """An aware UTC datetime from the shapes references use: datetime,
    RFC 3339 / ISO 8601, RFC 822, ctime ("Sat Mar 18 01:38:18 2006", UTC),
    unix seconds, a time.struct_time tuple (UTC). None when unparsable or
    empty (podcastparser's 0)."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, (tuple, list)) and len(value) >= 6:
        try:
            return dt.datetime(*[int(v) for v in value[:6]], tzinfo=UTC)
        except (TypeError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def has_scheme(url):
    """Whether url is absolute (has a scheme)."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url or ""))


def pick_link(links):
    """The article link among feed-rs / gofeed style link objects: the
    first with no rel or rel alternate, else the first (newshound's rule)."""
    links = [l for l in links or [] if isinstance(l, dict) and l.get("href") is not None]
    for link in links:
        if link.get("rel") in (None, "", "alternate"):
            return link["href"]
    return links[0]["href"] if links else None


# ---------------------------------------------------------------------------
# Expected results
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Expected:
    """What a reference says about a feed's entries.

    entries maps entry index -> {"title": (raw, kind), "link": str,
    "date": datetime, "id": str}, holding only what the reference gives."""

    fmt: str
    entries: dict = dataclasses.field(default_factory=dict)
    count: int = None  # number of entries, for formats that list them all
    pair_by_key: bool = False  # pair entries by guid/link/title, not position
    skipped: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    error: str = None  # the expectation could not be read


def format_of(expected_rel, case):
    """Which reference format an expected-result path is in."""
    if expected_rel == "embedded":
        return "feedparser"
    if expected_rel.endswith(".serde.json"):
        return "feed-rs"
    if expected_rel.endswith(".expected"):
        return "kde"
    if "/rss-parser/" in expected_rel:
        return "rss-parser"
    if "/gofeed/" in expected_rel:
        return "gofeed"
    if "/podcastparser/" in expected_rel:
        return "podcastparser"
    if "/feedjira/" in expected_rel:
        return "feedjira"
    return case.source


def load_feed_rs(text):
    """feed-rs's serialized model: entries[].title{content_type, content},
    links[], published, updated, id."""
    model = json.loads(text)
    exp = Expected("feed-rs", count=len(model.get("entries") or []))
    for i, e in enumerate(model.get("entries") or []):
        fields = {}
        title = e.get("title")
        if isinstance(title, dict) and title.get("content") is not None:
            kind = "html" if "html" in (title.get("content_type") or "") else "text"
            fields["title"] = (title["content"], kind)
        link = pick_link(e.get("links"))
        if link is not None:
            fields["link"] = link
        date = parse_date(e.get("published")) or parse_date(e.get("updated"))
        if date:
            fields["date"] = date
        if e.get("id"):
            fields["id"] = e["id"]
        exp.entries[i] = fields
    return exp


def parse_kde_dump(text):
    """KDE syndication's `.expected` dump as a list of item dicts (only the
    item's own `key: #value#` lines; nested blocks are skipped)."""
    items, stack, key, buf = [], [], None, []
    for line in text.splitlines():
        if key is not None:
            if line.endswith("#"):
                buf.append(line[:-1])
                if stack and stack[-1] == "Item":
                    items[-1][key] = "\n".join(buf)
                key = None
            else:
                buf.append(line)
            continue
        block = re.match(r"^# (\w+) (begin|end) #", line)
        if block:
            if block.group(2) == "begin":
                stack.append(block.group(1))
                if block.group(1) == "Item":
                    items.append({})
            elif stack:
                stack.pop()
            continue
        m = re.match(r"^(\w+): #(.*)$", line)
        if not m:
            continue
        rest = m.group(2)
        if rest.endswith("#"):
            if stack and stack[-1] == "Item":
                items[-1][m.group(1)] = rest[:-1]
        else:
            key, buf = m.group(1), [rest]
    return items


def load_kde(text):
    """KDE syndication: titles are HTML, dates ctime in UTC, ids that start
    with `hash:` were made by the library."""
    items = parse_kde_dump(text)
    exp = Expected("kde", count=len(items))
    for i, item in enumerate(items):
        fields = {}
        if "title" in item:
            fields["title"] = (item["title"], "html")
        if item.get("link"):
            fields["link"] = item["link"]
        date = parse_date(item.get("datePublished")) or parse_date(item.get("dateUpdated"))
        if date:
            fields["date"] = date
        if item.get("id") and not item["id"].startswith("hash:"):
            fields["id"] = item["id"]
        exp.entries[i] = fields
    return exp


def load_rss_parser(text):
    """rss-parser's output: feed.items[] with title, link, isoDate/pubDate,
    guid/id."""
    model = json.loads(text)
    items = (model.get("feed") or model).get("items") or []
    exp = Expected("rss-parser", count=len(items))
    for i, item in enumerate(items):
        fields = {}
        if isinstance(item.get("title"), str):
            fields["title"] = (item["title"], "unknown")
        if isinstance(item.get("link"), str):
            fields["link"] = item["link"]
        date = parse_date(item.get("isoDate")) or parse_date(item.get("pubDate"))
        if date:
            fields["date"] = date
        guid = item.get("guid") or item.get("id")
        if isinstance(guid, str) and guid:
            fields["id"] = guid
        exp.entries[i] = fields
    return exp


def _gofeed_date(item, *names):
    """The first of gofeed's `xParsed` / raw `x` date fields that parses."""
    for name in names:
        date = parse_date(item.get(name + "Parsed")) or parse_date(item.get(name))
        if date:
            return date
    return None


def load_gofeed(text):
    """gofeed's expected JSON, in one of its models: Atom (`entries`,
    `links`), RSS (`items`, `link`, `pubDate`, `guid{value}`), JSON Feed
    (`items`, `url`, `date_published`) or universal (`feedType`, `items`,
    `link`, `published`). Only fields present are expectations."""
    model = json.loads(text)
    if not isinstance(model, dict):
        raise ValueError("not a JSON object")
    key = "entries" if "entries" in model else "items"
    items = model.get(key)
    exp = Expected("gofeed", count=len(items) if isinstance(items, list) else None)
    for i, item in enumerate(items or []):
        fields = {}
        if isinstance(item.get("title"), str):
            fields["title"] = (item["title"], "unknown")
        if key == "entries":
            link = pick_link(item.get("links"))
            date = _gofeed_date(item, "published", "updated")
            ident = item.get("id")
        elif "url" in item or "date_published" in item or "content_html" in item:
            link = item.get("url")
            date = parse_date(item.get("date_published")) or parse_date(item.get("date_modified"))
            ident = item.get("id")
        else:
            link = item.get("link")
            if link is None and isinstance(item.get("links"), list) and item["links"]:
                link = item["links"][0] if isinstance(item["links"][0], str) else None
            date = _gofeed_date(item, "pubDate", "published", "updated")
            guid = item.get("guid")
            ident = guid.get("value") if isinstance(guid, dict) else guid
        if isinstance(link, str):
            fields["link"] = link
        if date:
            fields["date"] = date
        if isinstance(ident, str) and ident:
            fields["id"] = ident
        exp.entries[i] = fields
    return exp


def load_podcastparser(text):
    """podcastparser's JSON: episodes[] (sorted newest first by the
    library) with title, link, published (unix seconds, 0 = none), guid."""
    model = json.loads(text)
    episodes = model.get("episodes") or []
    exp = Expected("podcastparser", pair_by_key=True)
    for i, ep in enumerate(episodes):
        fields = {}
        if isinstance(ep.get("title"), str):
            fields["title"] = (ep["title"], "unknown")
        if isinstance(ep.get("link"), str) and ep["link"]:
            fields["link"] = ep["link"]
        date = parse_date(ep.get("published"))
        if date:
            fields["date"] = date
        if isinstance(ep.get("guid"), str) and ep["guid"]:
            fields["id"] = ep["guid"]
        exp.entries[i] = fields
    return exp


# feedparser keys newshound has an equivalent of, and which field they map to.
FEEDPARSER_KEYS = {
    "title": "title",
    "link": "link",
    "id": "id",
    "published": "date",
    "published_parsed": "date",
    "updated": "date",
    "updated_parsed": "date",
}


def _fp_entry_ref(node):
    """(index, key) for `entries[N]['key']` or `entries[N].key`, else None."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key, base = node.slice.value, node.value
    elif isinstance(node, ast.Attribute):
        key, base = node.attr, node.value
    else:
        return None
    if (
        isinstance(key, str)
        and isinstance(base, ast.Subscript)
        and isinstance(base.value, ast.Name)
        and base.value.id == "entries"
        and isinstance(base.slice, ast.Constant)
        and isinstance(base.slice.value, int)
    ):
        return base.slice.value, key
    return None


def _fp_value(node):
    """A constant, a concatenation of string constants, or a tuple of
    numbers; raises ValueError otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fp_value(node.left), _fp_value(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    if isinstance(node, ast.Tuple):
        return tuple(_fp_value(e) for e in node.elts)
    raise ValueError("not a simple value")


def _fp_clause_kind(node):
    """Why a feedparser clause is not compared, for the tally."""
    src = ast.unparse(node)
    if "bozo" in src:
        return "bozo"
    if re.match(r"^(not )?\(?\s*feed\b|.*\bfeed\[", src) or src.startswith("feed."):
        return "feed-level"
    if "entries" in src:
        return "other entry field"
    return "other"


def load_feedparser(text):
    """feedparser's `Expect:` expression in the case's XML comment, parsed
    with ast; the simple entry clauses become expectations, the rest are
    tallied as not comparable."""
    m = re.search(r"Expect:\s*(.*?)\s*-->", text, re.S)
    if not m:
        raise ValueError("no Expect: line")
    expr = " ".join(m.group(1).split("\n"))
    exp = Expected("feedparser")
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        exp.skipped["unparsable"] += 1
        return exp
    clauses = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    for clause in clauses:
        ok = False
        if isinstance(clause, ast.Compare) and all(isinstance(op, ast.Eq) for op in clause.ops):
            operands = [clause.left, *clause.comparators]
            refs = [_fp_entry_ref(o) for o in operands]
            values = [o for o, r in zip(operands, refs) if r is None]
            refs = [r for r in refs if r is not None]
            if refs and len(values) == 1 and all(k in FEEDPARSER_KEYS for _, k in refs):
                try:
                    value = _fp_value(values[0])
                except ValueError:
                    value = None
                for index, key in refs:
                    field = FEEDPARSER_KEYS[key]
                    if field == "title" and isinstance(value, str):
                        exp.entries.setdefault(index, {})["title"] = (value, "unknown")
                        ok = True
                    elif field in ("link", "id") and isinstance(value, str):
                        exp.entries.setdefault(index, {})[field] = value
                        ok = True
                    elif field == "date" and parse_date(value) is not None:
                        exp.entries.setdefault(index, {})["date"] = parse_date(value)
                        ok = True
        if not ok:
            exp.skipped[_fp_clause_kind(clause)] += 1
    return exp


LOADERS = {
    "feed-rs": load_feed_rs,
    "kde": load_kde,
    "rss-parser": load_rss_parser,
    "gofeed": load_gofeed,
    "podcastparser": load_podcastparser,
}


def load_expected(corpus, case):
    """The case's expectations, one Expected per expected-result file."""
    found = []
    for rel in case.expected:
        fmt = format_of(rel, case)
        try:
            if fmt == "feedparser":
                found.append(load_feedparser(read_text(case.path)))
            elif fmt in LOADERS:
                found.append(LOADERS[fmt](read_text(corpus / rel)))
            else:
                found.append(Expected(fmt, skipped=collections.Counter({"content only": 1})))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            found.append(Expected(fmt, error=f"{type(e).__name__}: {e}"[:200]))
    return found


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Check:
    """One expected value against newshound's."""

    file: str
    fmt: str
    field: str  # title, link, date, id, count
    index: int
    expected: object
    got: object
    outcome: str  # agree, disagree, unresolvable
    category: str = ""


def pair_entries(exp, entries):
    """{expected index: newshound entry index or None}. By position, or for
    formats that reorder (podcastparser) by guid, then link, then title,
    then the first entry not yet taken."""
    if not exp.pair_by_key:
        return {i: (i if i < len(entries) else None) for i in exp.entries}
    taken, pairs = set(), {}
    tests = (
        lambda f, e: "id" in f and e.get("id") == "guid:" + f["id"].strip(),
        lambda f, e: "link" in f and (e.get("link") or "").strip() == f["link"].strip(),
        lambda f, e: "title" in f and collapse(e.get("title")) in title_forms(*f["title"]),
    )
    for i, fields in sorted(exp.entries.items()):
        pairs[i] = None
        for test in tests:
            match = next((j for j, e in enumerate(entries) if j not in taken and test(fields, e)), None)
            if match is not None:
                pairs[i] = match
                break
        if pairs[i] is None:
            pairs[i] = next((j for j in range(len(entries)) if j not in taken), None)
        if pairs[i] is not None:
            taken.add(pairs[i])
    return pairs


def title_category(expected_forms, got):
    """Why a title disagrees."""
    if not got:
        return "title empty"
    if any(html.unescape(got) == f or collapse(html.unescape(got)) == f for f in expected_forms):
        return "entities left encoded"
    if any(html_text(got) == f for f in expected_forms):
        return "markup left in"
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    if any(squash(got) == squash(f) for f in expected_forms):
        return "whitespace"
    if any(f and (f in got or got in f) for f in expected_forms):
        return "truncated/extended"
    if any(html.unescape(f) == got for f in expected_forms):
        return "entities decoded twice"
    if any(collapse(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", got)) == f for f in expected_forms):
        return "control characters kept"
    return "different text"


def link_category(expected, got):
    """Why a link disagrees."""
    if got is None:
        return "no link"
    if got.rstrip("/") == expected.rstrip("/"):
        return "trailing slash"
    unq = lambda s: urllib.parse.unquote(html.unescape(s))  # noqa: E731
    e, g = urllib.parse.urlsplit(expected), urllib.parse.urlsplit(got)
    if e.netloc.lower() == g.netloc.lower() and e.netloc != g.netloc and (e.path, e.query) == (g.path, g.query):
        return "host case changed"
    if unq(got) == unq(expected):
        return "percent/entity escaping"
    if unq(got).lower() == unq(expected).lower():
        return "letter case"
    if not has_scheme(expected):
        return "relative expected, resolved"
    if e.path == g.path and e.query == g.query:
        return "different base/host"
    return "different link"


def date_category(expected, got):
    """Why a date disagrees."""
    if got is None:
        return "no date"
    delta = abs((got - expected).total_seconds())
    if delta < 60:
        return "seconds differ"
    midnight = any(d.astimezone(UTC).time() == dt.time(0, 0) for d in (got, expected))
    if delta < 86400 and midnight:
        return "date-only: other time of day"
    if delta <= 14 * 3600 and delta % 900 == 0:
        return "time-zone offset"
    if delta < 86400:
        return "same day, other time"
    return "other date"


def unresolvable(expected, source_text):
    """Whether the reference made this link absolute with a base inspect
    cannot know: it is relative, or it is not in the feed's text (comments
    left out) while its last path segment or query is, i.e. the reference
    joined a relative link to the feed's URL, xml:base or channel link."""
    if not has_scheme(expected):
        return True
    if expected in source_text or html.escape(expected, quote=False) in source_text:
        return False
    parts = urllib.parse.urlsplit(expected)
    segment = parts.path.rstrip("/").rsplit("/", 1)[-1]
    tails = [t for t in (segment, parts.query) if len(t) > 1]
    return any(t in source_text or html.escape(t, quote=False) in source_text for t in tails)


def found_elsewhere(field, want, entries, j):
    """The index of another newshound entry that agrees on this field, if
    any (the reference lists entries in another order)."""
    for k, entry in enumerate(entries):
        if k == j:
            continue
        if field == "title" and collapse(entry.get("title")) in title_forms(*want):
            return k
        if field == "link" and (entry.get("link") or "").strip() == want.strip():
            return k
    return None


def compare(case, exp, run, source_text):
    """The Checks of one expectation against one run (source_text: the
    feed's text without comments)."""
    checks = []
    entries = run.entries
    if exp.count is not None and exp.fmt in FULL_MODEL:
        ok = exp.count == len(entries)
        checks.append(Check(case.rel, exp.fmt, "count", -1, exp.count, len(entries),
                            "agree" if ok else "disagree",
                            "" if ok else ("no entries" if not entries else "fewer entries" if len(entries) < exp.count
                                           else "more entries")))
    for i, j in sorted(pair_entries(exp, entries).items()):
        fields = exp.entries[i]
        entry = entries[j] if j is not None else None
        reordered = False  # title or link found on another entry
        for field in FIELDS:
            if field not in fields:
                continue
            want = fields[field]
            if field == "id" and want.strip() not in source_text and html.escape(want.strip()) not in source_text:
                continue  # made up by the reference, not the feed's own id
            check = Check(case.rel, exp.fmt, field, i, None, None, "disagree")
            if entry is None:
                check.expected = (title_forms(*want)[0] if field == "title"
                                  else want.strftime("%Y-%m-%dT%H:%M:%SZ") if field == "date" else want)
                check.category = ("missing entry: feed refused" if run.exit_code == 1
                                  else "missing entry: no items" if not entries
                                  else "missing entry: fewer entries")
                if field == "link" and unresolvable(want, source_text):
                    check.outcome, check.category = "unresolvable", ""
                checks.append(check)
                continue
            if field == "title":
                forms = title_forms(*want)
                got = collapse(entry.get("title"))
                check.expected, check.got = forms[0], got
                if got in forms:
                    check.outcome = "agree"
                elif found_elsewhere("title", want, entries, j) is not None:
                    check.category, reordered = "entry order differs", True
                else:
                    check.category = title_category(forms, got)
            elif field == "link":
                want = want.strip()
                got = entry.get("link")
                got = got.strip() if isinstance(got, str) else None
                check.expected, check.got = want, got
                if got == want:
                    check.outcome = "agree"
                elif got is None and unresolvable(want, source_text):
                    check.outcome = "unresolvable"
                elif found_elsewhere("link", want, entries, j) is not None:
                    check.category, reordered = "entry order differs", True
                else:
                    check.category = link_category(want, got)
            elif field == "date":
                got = parse_date(entry.get("published"))
                check.expected = want.strftime("%Y-%m-%dT%H:%M:%SZ")
                check.got = entry.get("published")
                if got is not None and int(got.timestamp()) == int(want.astimezone(UTC).timestamp()):
                    check.outcome = "agree"
                else:
                    check.category = "entry order differs" if reordered else date_category(want, got)
            elif field == "id":
                want = want.strip()
                got = entry.get("id") or ""
                check.expected, check.got = "guid:" + want, got
                if got == "guid:" + want:
                    check.outcome = "agree"
                elif reordered:
                    check.category = "entry order differs"
                elif got.startswith("guid:"):
                    check.category = "different guid"
                else:
                    check.category = "no guid (" + got.split(":", 1)[0] + ")"
            checks.append(check)
    return checks


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def root_of(path):
    """The document's root element as `<name>` or `<name version="…">`
    (with the version an RSS root carries), or a note when there is none."""
    text = read_text(path)[:8192].lstrip("\ufeff")
    text = re.sub(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    m = re.search(r"<([A-Za-z_][\w:.-]*)([^>]*)>", text)
    if not m:
        return "no XML element" if text.strip() else "empty document"
    version = re.search(r"""\bversion\s*=\s*["']([^"']*)""", m.group(2))
    return f"<{m.group(1)}" + (f' version="{version.group(1)}"' if version else "") + ">"


def reason(run, path=None):
    """Why newshound gave no entry, in a form that groups: the stderr line
    without the file name and byte positions; "no root element" gets the
    root element the document does have."""
    if run.crashed:
        return "crashed"
    if run.hung:
        return "hung"
    if run.exit_code == 0:
        return "no items (exit 0)" + (f" (root {root_of(path)})" if path is not None else "")
    text = re.sub(r"^error: .*?: (?=not a feed|[a-z])", "", run.stderr)
    text = re.sub(r"\b(at )?position \d+|\bline \d+|\bcolumn \d+", "", text)
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = " ".join(text.split())[:100] or f"exit {run.exit_code}"
    if path is not None and text.endswith("no root element"):
        text += f" (root {root_of(path)})"
    return text


def examples(files, n=3):
    """Up to n of files, from as many test suites (feeds/*/SUITE/) as can be."""
    files, picked, suites = sorted(files), [], set()
    for f in files:
        suite = f.split("/")[2] if f.count("/") >= 3 else f
        if suite not in suites and len(picked) < n:
            picked.append(f)
            suites.add(suite)
    picked += [f for f in files if f not in picked][: n - len(picked)]
    return picked


def pct(n, d):
    """n/d as a percentage string, or a dash."""
    return f"{100 * n / d:5.1f}%" if d else "    -"


def short(value, width=60):
    """A value as a one-line repr, cut to width."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def summarise_runs(cases, runs):
    """Totals over every feed, and the figures for feeds/real/."""
    real = [c for c in cases if c.section == "real"]
    entries = [e for c in real for e in runs[c.rel].entries]
    lacking = [c.rel for c in real if any(not e.get("title") and not e.get("link") for e in runs[c.rel].entries)]
    peak = max(cases, key=lambda c: runs[c.rel].rss_kb)
    return {
        "run": len(cases),
        "crashed": [c.rel for c in cases if runs[c.rel].crashed],
        "hung": [c.rel for c in cases if runs[c.rel].hung],
        "exit": collections.Counter(
            (runs[c.rel].exit_code if runs[c.rel].signal is None else f"signal {runs[c.rel].signal}") for c in cases),
        "bad_lines": sum(runs[c.rel].bad_lines for c in cases),
        "peak": (runs[peak.rel].rss_kb, peak.rel),
        "seconds": sum(runs[c.rel].seconds for c in cases),
        "slowest": max(cases, key=lambda c: runs[c.rel].seconds).rel,
        "real": len(real),
        "real_read": sum(1 for c in real if runs[c.rel].exit_code == 0 and runs[c.rel].entries),
        "real_empty": [c.rel for c in real if runs[c.rel].exit_code == 0 and not runs[c.rel].entries],
        "real_refused": [c.rel for c in real if runs[c.rel].exit_code == 1],
        "entries": len(entries),
        "ids": collections.Counter((e.get("id") or "").split(":", 1)[0] for e in entries),
        "title_or_link": sum(1 for e in entries if e.get("title") or e.get("link")),
        "lacking": lacking,
        "edge_exit1": sum(1 for c in cases if c.section == "edge" and runs[c.rel].exit_code == 1),
        "edge_empty": sum(1 for c in cases if c.section == "edge" and runs[c.rel].exit_code == 0
                          and not runs[c.rel].entries),
        "reasons": collections.Counter(reason(runs[c.rel], c.path) for c in cases
                                       if runs[c.rel].exit_code not in (0, None)),
    }


def print_summary(s, table, checks, skipped, unreadable, runs, corpus):
    """The readable report."""
    print()
    print("== Robustness (feeds/real + feeds/edge)")
    print(f"feeds run           {s['run']}  ({s['seconds']:.0f} s of child time; slowest {s['slowest']})")
    print(f"crashed             {len(s['crashed'])}" + (f"  {', '.join(s['crashed'][:10])}" if s["crashed"] else ""))
    print(f"hung                {len(s['hung'])}" + (f"  {', '.join(s['hung'][:10])}" if s["hung"] else ""))
    print("exit codes          " + ", ".join(f"{k}: {v}" for k, v in sorted(s["exit"].items(), key=str)))
    print(f"edge feeds          exit 1: {s['edge_exit1']}, no items: {s['edge_empty']}")
    for text, count in s["reasons"].most_common(10):
        print(f"  {count:>5} x {text}")
    if s["bad_lines"]:
        print(f"non-JSON stdout     {s['bad_lines']} lines")
    print(f"max peak RSS        {s['peak'][0] / 1024:.1f} MB  ({s['peak'][1]})")
    print()
    print("== Real feeds (feeds/real)")
    print(f"feeds               {s['real']}: read {s['real_read']}, empty {len(s['real_empty'])}, "
          f"refused {len(s['real_refused'])}")
    for rel in s["real_refused"]:
        print(f"  refused           {rel}: {reason(runs[rel], corpus / rel)}")
    for rel in s["real_empty"]:
        print(f"  empty             {rel}")
    n, ids = s["entries"], s["ids"]
    print(f"entries             {n}")
    print(f"  with identity     {ids['guid'] + ids['link']} ({pct(ids['guid'] + ids['link'], n).strip()}): "
          f"guid {ids['guid']}, link {ids['link']}; hash of text {ids['hash']}")
    print(f"  title or link     {s['title_or_link']} ({pct(s['title_or_link'], n).strip()})")
    print(f"feeds with an entry lacking title and link: {len(s['lacking'])}"
          + (f"  {', '.join(s['lacking'])}" if s["lacking"] else ""))
    print()
    print("== Agreement with expected results (entry i against entry i; podcastparser by guid)")
    head = f"{'format':<14}{'cases':>6}{'titles':>19}{'links':>19}{'unres.':>7}{'dates':>19}{'ids':>19}{'counts':>15}"
    print(head)
    print("-" * len(head))
    for fmt in FORMATS:
        row = table.get(fmt)
        if not row:
            continue
        cells = []
        for field in ("title", "link", "date", "id", "count"):
            agree, total = row[field]["agree"], row[field]["agree"] + row[field]["disagree"]
            width = 13 if field == "count" else 17
            cells.append(f"{pct(agree, total)} {agree:>4}/{total:<4}".rjust(width) if total else "-".rjust(width))
            if field == "link":
                cells.append(f"{row['link']['unresolvable']:>5}")
        print(f"{fmt:<14}{row['cases']:>6}  " + "  ".join(cells))
    print("(cases: feeds with at least one value compared; unres.: expected links relative or resolved against "
          "the\n fetch URL, which `inspect FILE` cannot know, where newshound gave none: left out of the rate)")
    if skipped:
        print("not comparable: " + ", ".join(f"{k} {v}" for k, v in skipped.most_common()))
    if unreadable:
        print(f"expectations unreadable: {len(unreadable)}  " + ", ".join(unreadable[:5]))
    print()
    print("== Feeds a reference read but newshound gave no entry (their values count as disagreements above)")
    unread = collections.defaultdict(set)
    for c in checks:
        if c.category.startswith("missing entry:") or c.category == "no entries":
            unread[reason(runs[c.file], corpus / c.file)].add(c.file)
    for text, files in sorted(unread.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(files):>5} feeds  {text}\n         e.g. {', '.join(examples(files))}")
    bad = [c for c in checks if c.outcome == "disagree"
           and not c.category.startswith("missing entry:") and c.category != "no entries"]
    print()
    print(f"== Value disagreements on entries newshound did give, by category ({len(bad)})")
    cats = collections.Counter((c.field, c.category) for c in bad)
    for (field, cat), count in cats.most_common():
        files = sorted({c.file for c in bad if (c.field, c.category) == (field, cat)})
        names = ", ".join(Path(f).name for f in examples(files))
        print(f"{count:>5}  {field:<6} {cat:<29} ({len(files)} feeds) e.g. {names}")
    print()
    print("== Top 15 value disagreements (round-robin over categories, largest first)")
    for c in top_disagreements(bad, cats, 15):
        where = f"{c.file}" + (f" #{c.index}" if c.index >= 0 else "")
        print(f"- {where}\n    {c.field} [{c.category}]: expected {short(c.expected, 70)}  got {short(c.got, 70)}")


def top_disagreements(bad, cats, n):
    """n disagreements taken round-robin over categories, largest first
    ("entry order differs", a listing-order matter, last), each from a file
    not listed yet while there are such, so the list shows each kind of
    problem."""
    keys = sorted(cats, key=lambda k: (k[1] == "entry order differs", -cats[k]))
    queues = [collections.deque(c for c in bad if (c.field, c.category) == key) for key in keys]
    picked, files = [], set()
    for fresh_only in (True, False):
        progress = True
        while len(picked) < n and progress:
            progress = False
            for q in queues:
                for c in list(q):
                    if len(picked) < n and (c.file not in files or not fresh_only):
                        q.remove(c)
                        picked.append(c)
                        files.add(c.file)
                        progress = True
                        break
    return picked


def write_failures(path, cases, runs, checks_by_file, formats_by_file):
    """Every failing case as one JSON line: crashed, hung, refused (exit 1),
    empty real feeds, real feeds with an entry lacking title and link, or
    any disagreement with its expected results."""
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        for case in cases:
            run = runs[case.rel]
            problems = []
            if run.crashed:
                problems.append("crashed")
            if run.hung:
                problems.append("hung")
            if run.exit_code == 1:
                problems.append("refused")
            if case.section == "real" and run.exit_code == 0 and not run.entries:
                problems.append("empty")
            if case.section == "real" and any(not e.get("title") and not e.get("link") for e in run.entries):
                problems.append("entry without title and link")
            bad = [c for c in checks_by_file.get(case.rel, []) if c.outcome == "disagree"]
            if bad:
                problems.append("disagrees with expected")
            if not problems:
                continue
            f.write(json.dumps({
                "file": case.rel,
                "source": case.source,
                "formats": formats_by_file.get(case.rel, []),
                "problems": problems,
                "exit_code": run.exit_code,
                "signal": run.signal,
                "stderr": run.stderr,
                "entries": len(run.entries),
                "peak_rss_kb": run.rss_kb,
                "seconds": round(run.seconds, 3),
                "disagreements": [
                    {"field": c.field, "index": c.index, "category": c.category, "expected": c.expected,
                     "got": c.got, "format": c.fmt}
                    for c in bad
                ],
            }, ensure_ascii=False, default=str) + "\n")
            written += 1
    return written


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main():
    """Parse arguments, run, compare, print; the exit code is the gate's."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=ROOT / "target" / "debug" / "newshound")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per feed before it counts as hung")
    ap.add_argument("--limit", type=int, help="run at most N feeds, evenly spread over the corpus")
    ap.add_argument("--failures", type=Path, help="write every failing case here as JSON lines")
    ap.add_argument("--gate-crashes", action="store_true", help="exit 1 if any feed crashed or hung")
    args = ap.parse_args()

    corpus = args.corpus.resolve()
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"feeds_corpus: no corpus at {corpus}, skipping")
        return 0
    if not os.access(args.binary, os.X_OK):
        print(f"feeds_corpus: no newshound binary at {args.binary} (cargo build first)", file=sys.stderr)
        return 2
    cases = spread(load_cases(corpus), args.limit)
    if not cases:
        print("feeds_corpus: no feeds in the MANIFEST, skipping")
        return 0
    print(f"running {args.binary} inspect on {len(cases)} feeds ({args.jobs} jobs, {args.timeout:g} s timeout)")
    runs = run_all(cases, args.binary, args.jobs, args.timeout)

    checks, skipped, unreadable = [], collections.Counter(), []
    table = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    checks_by_file, formats_by_file = {}, {}
    for case in cases:
        if not case.expected:
            continue
        source_text = without_comments(read_text(case.path))
        for exp in load_expected(corpus, case):
            formats_by_file.setdefault(case.rel, []).append(exp.fmt)
            if exp.error:
                unreadable.append(f"{case.rel} ({exp.error})")
                continue
            skipped.update({f"{exp.fmt} {k}": v for k, v in exp.skipped.items()})
            found = compare(case, exp, runs[case.rel], source_text)
            checks_by_file.setdefault(case.rel, []).extend(found)
            checks.extend(found)
            row = table[exp.fmt]
            if any(c.field != "count" for c in found):
                row["cases"] = row.get("cases", 0) + 1
            for c in found:
                row[c.field][c.outcome] += 1
    for row in table.values():
        row.setdefault("cases", 0)

    summary = summarise_runs(cases, runs)
    print_summary(summary, table, checks, skipped, unreadable, runs, corpus)
    if args.failures:
        n = write_failures(args.failures, cases, runs, checks_by_file, formats_by_file)
        print(f"\n{n} failing cases written to {args.failures}")
    if args.gate_crashes and (summary["crashed"] or summary["hung"]):
        print(f"\ngate: {len(summary['crashed'])} crashed, {len(summary['hung'])} hung: FAIL")
        return 1
    if args.gate_crashes:
        print("\ngate: no crash, no hang: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
