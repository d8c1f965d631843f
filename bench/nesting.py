#!/usr/bin/env python3
"""Hostile nesting benchmark: how long newshound takes over deeply nested
input, which once took it minutes. Each case is generated here and run
once through the command a user would run on it:

  feed item, <div> nested 40,000 / 100,000 deep   inspect FILE
  feed item, <b> nested 100,000 deep               inspect FILE
  XML nested 70,000 deep                           inspect FILE (refused)
  article page, <div> nested 20,000 / 40,000 / 200,000 deep   extract FILE
  article page, 100,000 x <span><div></span>, and <!--> before 100,000 <div>
  query of 20,000 nested parentheses               test-rules --query Q FILE

  python3 bench/nesting.py [--binary PATH] [--timeout SECONDS]

Prints wall time, peak RSS and exit code per case. A case past --timeout
(default 400 s) is killed and shown as such; rc 134 is a crash (abort).
"""
import argparse
import html
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def feed_with(description):
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://news.test/</link><description>d</description>"
        "<item><guid>1</guid><title>Deep</title><link>https://news.test/1</link>"
        f"<description>{html.escape(description)}</description></item></channel></rss>"
    )


def nested(tag, depth, core="ceasefire"):
    return f"<{tag}>" * depth + core + f"</{tag}>" * depth


def cases(work):
    """(label, command arguments after the binary) for every case."""
    made = []

    def write(name, text):
        path = work / name
        path.write_text(text)
        return str(path)

    for depth in (40_000, 100_000):
        made.append((f"feed item, <div> x {depth:,}", ["inspect", write(f"div{depth}.xml", feed_with(nested("div", depth)))]))
    made.append(("feed item, <b> x 100,000", ["inspect", write("b.xml", feed_with(nested("b", 100_000)))]))
    xml = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
    xml += "<x>" * 70_000 + "</x>" * 70_000 + "</item></channel></rss>"
    made.append(("XML nested x 70,000", ["inspect", write("xml.xml", xml)]))
    for depth in (20_000, 40_000, 200_000):
        page = "<html><body>" + nested("div", depth, "<p>The ceasefire holds.</p>") + "</body></html>"
        made.append((f"page, <div> x {depth:,}", ["extract", write(f"page{depth}.html", page)]))
    tricks = [("page, <span><div></span> x 100,000", "<span><div>x</span>" * 100_000),
              ("page, <!--> then <div> x 100,000", "<!-->" + "<div>x" * 100_000)]
    for i, (label, page) in enumerate(tricks):
        made.append((label, ["extract", write(f"trick{i}.html", f"<html><body>{page}</body></html>")]))
    article = write("article.txt", "The ceasefire holds.")
    query = "(" * 20_000 + "ceasefire" + ")" * 20_000
    made.append(("query, 20,000 parentheses", ["test-rules", "--query", query, article]))
    return made


def run(binary, args, timeout):
    """(wall seconds or None past the timeout, peak RSS MB, exit code)."""
    start = time.monotonic()
    proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return time.monotonic() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)
        if time.monotonic() - start > timeout:
            proc.kill()
            proc.wait()
            return None, 0.0, None
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "newshound"))
    parser.add_argument("--timeout", type=float, default=400)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        print(f"{'case':32} {'wall':>9} {'peak RSS':>9}  rc")
        for label, args in cases(Path(work)):
            wall, rss, code = run(options.binary, args, options.timeout)
            shown = f"{wall:8.2f}s" if wall is not None else f">{options.timeout:.0f}s".rjust(9)
            print(f"{label:32} {shown} {rss:7.1f}MB  {code if code is not None else 'killed'}", flush=True)


if __name__ == "__main__":
    main()
