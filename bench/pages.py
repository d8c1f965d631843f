#!/usr/bin/env python3
"""Article pages benchmark: what fetching and extracting each new entry's
page adds to a poll. One feed of 50 new items, each linking to an article
page (~3 KB of text amid navigation, share bar, related links and footer)
served with the feed by examples/bench_peers.rs on 127.0.0.1; every item
matches and is mailed to the SMTP sink there.

  python3 bench/pages.py

Prints the median of 3 `newshound poll` runs on fresh state with article
pages off (scrape = false) and on, with per_host_delay = 0, and one run on
with the default per_host_delay of 1 s, where politeness sets the pace.
"""
import sqlite3
import statistics
import subprocess
import sys

from polling import NEWSHOUND, ROOT, WORK, Peers, fresh, measure, write_config

ITEMS = 50


def config(peers, scrape, delay, path):
    extra = ["allow_private_network = true", f"scrape = {'true' if scrape else 'false'}"]
    write_config(path, peers.smtp, [("wire", peers.url(0), extra)], "report", [f'per_host_delay = "{delay}"'])


def run(peers, name, scrape, delay):
    state = fresh(name)
    path = state / "newshound.toml"
    config(peers, scrape, delay, path)
    before = peers.mails()
    wall, cpu, rss, code = measure([str(NEWSHOUND), "--config", str(path), "--state-dir", str(state), "poll"])
    if code != 0:
        raise SystemExit(f"poll failed ({code}); see {WORK / 'stderr.log'}")
    db = sqlite3.connect(state / "newshound.db")
    sources = dict(db.execute("SELECT COALESCE(body_source, 'none'), COUNT(*) FROM entries GROUP BY 1").fetchall())
    db.close()
    return wall, cpu, rss, peers.mails() - before, sources


def main():
    subprocess.run(["cargo", "build", "--release", "--bin", "newshound", "--example", "bench_peers"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    peers = Peers(1, ITEMS, 3000, 1, pages=True)
    rows = []
    try:
        for label, scrape, delay, runs in [
            ("pages off", False, "0s", 3),
            ("pages on, per_host_delay 0s", True, "0s", 3),
            ("pages on, per_host_delay 1s (default)", True, "1s", 1),
        ]:
            results = [run(peers, f"pages-{i}", scrape, delay) for i in range(runs)]
            wall = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[1] for r in results)
            rss = statistics.median(r[2] for r in results)
            rows.append((label, wall, cpu, rss, results[0][3], results[0][4]))
    finally:
        peers.stop()
    base_wall, base_cpu = rows[0][1], rows[0][2]
    print(f"\n1 feed, {ITEMS} new items, every item mailed; medians of 3 runs (1 for the 1 s delay)\n")
    print("| run | wall | added wall per page | CPU | added CPU per page | peak RSS | mails | bodies |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, wall, cpu, rss, mails, sources in rows:
        added_wall = (wall - base_wall) / ITEMS * 1000
        added_cpu = (cpu - base_cpu) / ITEMS * 1000
        print(f"| {label} | {wall:.3f} s | {added_wall:.1f} ms | {cpu:.3f} s | {added_cpu:.2f} ms | {rss:.0f} MB | {mails} | {sources} |")


if __name__ == "__main__":
    main()
