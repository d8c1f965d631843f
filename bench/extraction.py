#!/usr/bin/env python3
"""Main-text extraction: newshound's extractor next to Python trafilatura on
the same pages in the same run, scored with ../shared/tools/extraction-score.py.

  python3 bench/extraction.py              # the table (sets up trafilatura)
  python3 bench/extraction.py --gate 0.95  # newshound only: fail below this
                                           # F1 on the dev pages (CI)

Corpora, read at run time from ../shared/corpus:
  extraction/dev  88 pages with hand-made ground truth
  readability     Mozilla Readability's test pages; the ground truth is the
                  text of expected.html, converted with a stdlib HTML
                  parser, the same way for every candidate

Speed is pages per second of extraction alone (wall clock, one thread,
files read beforehand), peak memory the extracting process's own VmHWM.
The trafilatura version is whatever PyPI has today; the table names it.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SCORE = ROOT.parent / "shared" / "tools" / "extraction-score.py"
WORK = ROOT / "bench" / ".work"
VENV = WORK / "venv-extract"

TRAFILATURA = r'''
import json, resource, sys, time
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


def readability_pages(tmp):
    """The readability corpus as DIR/ID.html plus a ground-truth file."""
    pages = tmp / "readability"
    pages.mkdir()
    truth = {}
    for case in sorted((CORPUS / "readability").iterdir()):
        source, expected = case / "source.html", case / "expected.html"
        if source.exists() and expected.exists():
            (pages / f"{case.name}.html").symlink_to(source)
            truth[case.name] = {"articleBody": html_text(expected.read_text(errors="replace"))}
    truth_file = tmp / "readability-truth.json"
    truth_file.write_text(json.dumps(truth))
    return pages, truth_file


def score(truth, prediction):
    """F1, precision and recall, computed with the scorer's own functions
    (not parsed from its rounded output, so the gate compares exactly)."""
    namespace = {}
    source = SCORE.read_text()
    exec(compile(source.split("def main")[0], str(SCORE), "exec"), namespace)
    gt, pred = json.load(open(truth)), json.load(open(prediction))
    precision = recall = 0.0
    for key, value in gt.items():
        counts = namespace["page_counts"](value["articleBody"], pred.get(key, {}).get("articleBody", ""))
        precision += namespace["prec"](*counts)
        recall += namespace["rec"](*counts)
    precision, recall = precision / len(gt), recall / len(gt)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def newshound(binary, pages, out):
    """Extracts with newshound; pages/s and peak RSS (MB) as it reports them."""
    run = subprocess.run([str(binary), "extract", "--batch", str(pages), "--out", str(out)],
                         capture_output=True, text=True)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gate", type=float, help="newshound only; exit 1 if dev F1 is below this")
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "newshound"))
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}; nothing to measure")
        return 0
    binary = Path(args.binary)
    if args.gate is not None and not binary.exists():
        print(f"error: no newshound binary at {binary}; build it first (cargo test builds the debug one)")
        return 2
    if args.gate is None:
        # The table measures the code as it is now.
        subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "newshound"], cwd=ROOT, check=True)
    dev_pages = CORPUS / "extraction" / "dev" / "html"
    dev_truth = CORPUS / "extraction" / "dev" / "ground-truth.json"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.gate is not None:
            newshound(binary, dev_pages, tmp / "nh-dev.json")
            f1, p, r = score(dev_truth, tmp / "nh-dev.json")
            print(f"newshound on extraction/dev: F1 {f1:.3f} (precision {p:.3f}, recall {r:.3f}); gate {args.gate:.3f}")
            return 0 if f1 >= args.gate else 1
        WORK.mkdir(parents=True, exist_ok=True)
        ro_pages, ro_truth = readability_pages(tmp)
        rows = []
        for name, run in [("newshound", lambda pages, out: newshound(binary, pages, out)),
                          ("trafilatura (Python)", trafilatura)]:
            speed, peak = run(dev_pages, tmp / "dev.json")
            dev = score(dev_truth, tmp / "dev.json")
            run(ro_pages, tmp / "ro.json")
            ro = score(ro_truth, tmp / "ro.json")
            rows.append((name, dev, ro, speed, peak))
        rows[1] = (f"trafilatura {trafilatura_version()} (Python)",) + rows[1][1:]
        print("\n| extractor | dev F1 | precision | recall | readability F1 | pages/s (dev, one thread) | peak RSS |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, dev, ro, speed, peak in rows:
            print(f"| {name} | {dev[0]:.3f} | {dev[1]:.3f} | {dev[2]:.3f} | {ro[0]:.3f} | {speed:,.0f} | {peak:.0f} MB |")
        print(f"\nspeed ratio newshound / trafilatura: {rows[0][3] / rows[1][3]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
