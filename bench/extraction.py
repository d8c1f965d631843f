#!/usr/bin/env python3
"""Main-text extraction, measured so that a figure on pages the extractor
was tuned on is never mistaken for a result.

  python3 bench/extraction.py                  # the table, with trafilatura
  python3 bench/extraction.py --gate GATEFILE  # newshound only (CI): exit 1
                                               # when a held-out F1 is below
                                               # the gate file's figure

Sets, read at run time from ../shared/corpus:
  news       extraction/dev: 88 news pages, hand-made full-text truth
  fundus     extraction/fundus: 128 recent news pages, a dozen languages
  snippets   extraction/trafilatura-eval: 472 pages, must-keep and
             must-drop snippets, scored as ../shared/tools/snippet-score.py
  readability  Mozilla Readability's test pages; expected.html is
             Readability.js's output, so this is a second opinion

Protocol. The extractor's few numeric knobs (`extract --tuning`) are tuned
by site-grouped cross-validation: every page goes to one of five folds by
its registered domain, so no site is both tuned on and scored. For each
fold the grid setting with the best mean F1 over the other four folds is
chosen, and the fold's pages are scored with it. "held-out" is that score;
"tuned-on" is the chosen settings' score on the folds they were chosen on;
"gap" is the difference. A change is kept only when held-out rises.

Speed is pages per second of extraction alone (one thread, files read
beforehand, default settings), peak memory the process's own VmHWM.
"""
import argparse
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TOOLS = ROOT.parent / "shared" / "tools"
WORK = ROOT / "bench" / ".work"
VENV = WORK / "venv-extract"
FOLDS = 5
# Second-level labels under which countries register names (co.uk, ne.jp).
SECOND_LEVEL = {"co", "com", "net", "org", "gov", "govt", "gouv", "ac", "edu", "ne", "or", "go", "gob", "nic"}

# The knobs cross-validation chooses among; every other setting is the
# extractor's default. Keep it small: each setting is one extraction run.
GRID = {
    "join_levels": [2, 3, 4],
    "standfirst": [0, 1],
    "loose_ratio": [0, 0.25, 0.4],
}

TRAFILATURA = r'''
import json, sys, time
import trafilatura
pages = json.load(open(sys.argv[1]))
out = {}
start = time.perf_counter()
for key, html in pages.items():
    out[key] = {"articleBody": trafilatura.extract(html) or ""}
seconds = time.perf_counter() - start
json.dump(out, open(sys.argv[2], "w"))
# VmHWM: this process's own peak (getrusage would include the parent's).
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak}))
'''


def scorer(name):
    """The functions of one of ../shared/tools' scorers, without its main."""
    path = TOOLS / name
    namespace = {}
    exec(compile(path.read_text().split("def main")[0], str(path), "exec"), namespace)
    return namespace


class TextOf(HTMLParser):
    """Visible text of an HTML fragment, blocks on lines of their own."""

    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section", "article"}

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(html):
    parser = TextOf()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.parts)).strip()


def registered_domain(url):
    """example.co.uk for https://www.news.example.co.uk/a: the last two
    labels, three under a country's generic second level (co.uk, com.au,
    ne.jp)."""
    labels = (urlparse(url).hostname or url).lower().split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_of(url, file):
    """The site of a snippet page: its URL's, or for the few keyed by file
    name (`hard::larepublica.net-hackers.html`) the host the name starts
    with, up to the first label in capitals (iwr.de.IWR-Pressedienst)."""
    if "://" in url:
        return registered_domain(url)
    host = file.split("-")[0]
    labels = [l for l in host.split(".")]
    kept = []
    for label in labels:
        if label != label.lower() or label == "html":
            break
        kept.append(label)
    return registered_domain("http://" + ".".join(kept))


def fold_of(site):
    return int(hashlib.sha1(site.encode()).hexdigest(), 16) % FOLDS


class FullText:
    """A set with whole-article ground truth, scored per page with
    extraction-score.py's shingle metric, averaged over pages."""

    def __init__(self, name, pages, truth, sites):
        self.name, self.pages, self.truth, self.sites = name, pages, truth, sites
        self.metric = scorer("extraction-score.py")

    def counts(self, prediction):
        """Per page (precision, recall), the unit folds are built from."""
        out = {}
        for key, value in self.truth.items():
            c = self.metric["page_counts"](value["articleBody"], prediction.get(key, {}).get("articleBody", ""))
            out[key] = (self.metric["prec"](*c), self.metric["rec"](*c))
        return out

    @staticmethod
    def total(rows):
        if not rows:
            return (0.0, 0.0, 0.0)
        p = sum(r[0] for r in rows) / len(rows)
        r = sum(r[1] for r in rows) / len(rows)
        return (2 * p * r / (p + r) if p + r else 0.0, p, r)

    @staticmethod
    def recall(row):
        return row[1]


class Snippets:
    """trafilatura's snippet set: must-keep snippets found are true
    positives, missed ones false negatives, must-drop ones found false
    positives; counts are summed over pages (snippet-score.py's metric)."""

    def __init__(self, name, pages, evaldata):
        self.name, self.pages = name, pages
        self.norm = scorer("snippet-score.py")["norm"]
        self.truth = {v["file"].rsplit(".", 1)[0]: v for v in evaldata.values()}
        self.sites = {v["file"].rsplit(".", 1)[0]: site_of(url, v["file"]) for url, v in evaldata.items()}

    def counts(self, prediction):
        out = {}
        for stem, v in self.truth.items():
            text = self.norm((prediction.get(stem) or {}).get("articleBody", ""))
            found = sum(1 for s in v.get("with", []) if self.norm(s) in text)
            missed = len(v.get("with", [])) - found
            kept = sum(1 for s in v.get("without", []) if self.norm(s) and self.norm(s) in text)
            out[stem] = (found, missed, kept)
        return out

    @staticmethod
    def total(rows):
        tp, fn, fp = (sum(r[i] for r in rows) for i in range(3))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return (2 * tp / (2 * tp + fp + fn) if tp else 0.0, p, r)

    @staticmethod
    def recall(row):
        return row[0] / (row[0] + row[1]) if row[0] + row[1] else 1.0


def load_sets(tmp):
    extraction = CORPUS / "extraction"
    sets = []
    for name, folder in [("news", "dev"), ("fundus", "fundus")]:
        truth = json.load(open(extraction / folder / "ground-truth.json"))
        sites = {k: registered_domain(v.get("url") or k) for k, v in truth.items()}
        sets.append(FullText(name, extraction / folder / "html", truth, sites))
    evaldata = json.load(open(extraction / "trafilatura-eval" / "evaldata.json"))
    sets.append(Snippets("snippets", extraction / "trafilatura-eval" / "html", evaldata))
    # Readability's cases live in folders; the bench links them as ID.html.
    pages = tmp / "readability"
    pages.mkdir()
    truth, sites = {}, {}
    for case in sorted((CORPUS / "readability").iterdir()):
        source, expected = case / "source.html", case / "expected.html"
        if source.exists() and expected.exists():
            (pages / f"{case.name}.html").symlink_to(source)
            truth[case.name] = {"articleBody": html_text(expected.read_text(errors="replace"))}
            # Cases are named after their site: bbc-1, ars-1, nytimes-3.
            sites[case.name] = re.sub(r"-\d+$", "", case.name)
    sets.append(FullText("readability", pages, truth, sites))
    return sets


def newshound(binary, pages, out, tuning=None):
    """Extracts with newshound; pages/s and peak RSS (MB) as it reports them."""
    command = [str(binary), "extract", "--batch", str(pages), "--out", str(out)]
    if tuning:
        command += ["--tuning", ",".join(f"{k}={v}" for k, v in tuning.items())]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"newshound extract failed:\n{run.stderr}")
    m = re.search(r"(\d+) pages extracted .* in ([\d.]+) s .*peak RSS (\d+) MB", run.stderr)
    count, seconds, peak = int(m.group(1)), float(m.group(2)), int(m.group(3))
    return count / max(seconds, 1e-6), peak


def trafilatura(pages, out):
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "trafilatura", "lxml_html_clean"], check=True)
    docs = {p.stem: p.read_text(errors="replace") for p in sorted(pages.glob("*.html"))}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(docs, f)
    run = subprocess.run([str(python), "-c", TRAFILATURA, f.name, str(out)], capture_output=True, text=True, check=True)
    os.unlink(f.name)
    stats = json.loads(run.stdout.strip().splitlines()[-1])
    return len(docs) / stats["seconds"], stats["peak_mb"]


def trafilatura_version():
    run = subprocess.run([str(VENV / "bin" / "python"), "-c", "import trafilatura; print(trafilatura.__version__)"],
                         capture_output=True, text=True)
    return run.stdout.strip() or "?"


def settings():
    keys = sorted(GRID)
    return [dict(zip(keys, values)) for values in itertools.product(*(GRID[k] for k in keys))]


def cross_validate(sets, per_setting):
    """Held-out and tuned-on (F1, P, R) per set, and the setting each fold
    chose. per_setting[i][set name] maps page -> counts for settings()[i].
    The objective is the mean F1 of the sets with real ground truth
    (Readability's output is an opinion, not truth, so it does not vote)."""
    voting = [s for s in sets if s.name != "readability"]

    def fold_pages(s, folds):
        return [k for k in s.truth if fold_of(s.sites[k]) in folds]

    def objective(i, folds):
        return sum(s.total([per_setting[i][s.name][k] for k in fold_pages(s, folds)])[0] for s in voting) / len(voting)

    chosen, held, tuned = {}, {s.name: [] for s in sets}, {s.name: [] for s in sets}
    for fold in range(FOLDS):
        train = set(range(FOLDS)) - {fold}
        best = max(range(len(per_setting)), key=lambda i: (objective(i, train), -i))
        chosen[fold] = best
        for s in sets:
            held[s.name] += [per_setting[best][s.name][k] for k in fold_pages(s, {fold})]
            tuned[s.name].append(s.total([per_setting[best][s.name][k] for k in fold_pages(s, train)]))
    result = {}
    for s in sets:
        tuned_mean = tuple(sum(t[i] for t in tuned[s.name]) / FOLDS for i in range(3))
        result[s.name] = (s.total(held[s.name]), tuned_mean)
    return result, chosen


def run_newshound(binary, sets, tmp):
    """Counts per page for every grid setting."""
    per_setting = []
    for i, tuning in enumerate(settings()):
        counts = {}
        for s in sets:
            out = tmp / f"nh-{s.name}-{i}.json"
            newshound(binary, s.pages, out, tuning)
            counts[s.name] = s.counts(json.load(open(out)))
        per_setting.append(counts)
    return per_setting


def low_recall(sets, per_setting, chosen):
    """The pages each set's held-out extraction keeps under 80% of."""
    out = {}
    for s in sets:
        rows = []
        for key in s.truth:
            row = per_setting[chosen[fold_of(s.sites[key])]][s.name][key]
            if s.recall(row) < 0.8:
                rows.append((s.recall(row), key, s.sites[key]))
        out[s.name] = sorted(rows)
    return out


def report(sets, cv, chosen, lows):
    print("\nnewshound, site-grouped 5-fold cross-validation over "
          + ", ".join(f"{k} {v}" for k, v in sorted(GRID.items())))
    print("\n| set | pages | sites | held-out F1 | precision | recall | tuned-on F1 | gap | pages under 0.8 recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in sets:
        (f1, p, r), tuned = cv[s.name]
        print(f"| {s.name} | {len(s.truth)} | {len(set(s.sites.values()))} | {f1:.3f} | {p:.3f} | {r:.3f} "
              f"| {tuned[0]:.3f} | {tuned[0] - f1:+.3f} | {len(lows[s.name])} |")
    names = settings()
    print("\nchosen per fold: " + "; ".join(
        f"{fold}: " + ",".join(f"{k}={v}" for k, v in names[i].items()) for fold, i in chosen.items()))
    for s in sets:
        if lows[s.name]:
            print(f"\n{s.name}, held-out recall under 0.8 ({len(lows[s.name])} pages):")
            line = ""
            for recall, key, site in lows[s.name]:
                cell = f"{recall:.2f} {key[:40]}"
                if len(line) + len(cell) > 110:
                    print(line)
                    line = ""
                line += ("  " if line else "  ") + cell
            print(line)


def check_gate(gate_file, cv):
    """The gate file holds `SET F1` lines; every held-out F1 must reach its."""
    failed = False
    for line in Path(gate_file).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, floor = line.split()
        f1 = cv[name][0][0]
        verdict = "ok" if f1 >= float(floor) else "BELOW"
        failed |= f1 < float(floor)
        print(f"gate {name}: held-out F1 {f1:.3f}, floor {float(floor):.3f}: {verdict}")
    return 1 if failed else 0


def compare_trafilatura(binary, sets, tmp):
    """One default-settings run of each extractor over the same pages."""
    print("\n| set | newshound F1 (default settings) | trafilatura F1 | newshound pages/s | trafilatura pages/s | newshound peak | trafilatura peak |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    speeds = []
    for s in sets:
        nh_speed, nh_peak = newshound(binary, s.pages, tmp / "nh.json")
        nh = s.total(list(s.counts(json.load(open(tmp / "nh.json"))).values()))
        tr_speed, tr_peak = trafilatura(s.pages, tmp / "tr.json")
        tr = s.total(list(s.counts(json.load(open(tmp / "tr.json"))).values()))
        speeds.append(nh_speed / tr_speed)
        print(f"| {s.name} | {nh[0]:.3f} (P {nh[1]:.3f}, R {nh[2]:.3f}) | {tr[0]:.3f} (P {tr[1]:.3f}, R {tr[2]:.3f}) "
              f"| {nh_speed:,.0f} | {tr_speed:,.0f} | {nh_peak:.0f} MB | {tr_peak:.0f} MB |")
    print(f"\ntrafilatura {trafilatura_version()} (Python); speed ratio newshound / trafilatura per set: "
          + ", ".join(f"{r:.1f}x" for r in speeds))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gate", help="newshound only; a file of `SET F1` floors for the held-out F1")
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "newshound"))
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}; nothing to measure")
        return 0
    binary = Path(args.binary)
    if args.gate is None:
        # The table measures the code as it is now.
        subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "newshound"], cwd=ROOT, check=True)
    if not binary.exists():
        print(f"error: no newshound binary at {binary}; build it first (cargo test builds the debug one)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sets = load_sets(tmp)
        per_setting = run_newshound(binary, sets, tmp)
        cv, chosen = cross_validate(sets, per_setting)
        report(sets, cv, chosen, low_recall(sets, per_setting, chosen))
        if args.gate is not None:
            return check_gate(args.gate, cv)
        WORK.mkdir(parents=True, exist_ok=True)
        compare_trafilatura(binary, sets, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
