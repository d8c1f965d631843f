#!/usr/bin/env python3
"""A burst of 10,000 immediate alerts to an SMTP sink on 127.0.0.1
(examples/bench_peers.rs): mails per second and CPU per mail of the
delivery pass alone.

  python3 bench/mail_burst.py

One feed of 10,000 items, every one matching, is polled first with the SMTP
server unreachable, so every alert is queued; then `newshound poll` runs
again with the sink reachable: the feed answers 304 and the pass sends the
whole queue. Median of 3 runs, each on fresh state.
"""
import statistics
import subprocess

from polling import NEWSHOUND, ROOT, WORK, Peers, free_port, fresh, measure, write_config

MAILS = 10_000


def config(peers, smtp_port, path):
    # The generated items are a minute apart: all 10,000 within backfill.
    write_config(path, smtp_port, [("burst", peers.url(0), ["scrape = false"])], "report", ['backfill = "30d"'])


def run(peers, name):
    state = fresh(name)
    path = state / "newshound.toml"
    cmd = [str(NEWSHOUND), "--config", str(path), "--state-dir", str(state), "poll"]
    config(peers, free_port(), path)  # nobody listens: everything is queued
    measure(cmd)
    config(peers, peers.smtp, path)
    before = peers.mails()
    wall, cpu, rss, _ = measure(cmd, timeout=600)
    return wall, cpu, rss, peers.mails() - before


def main():
    subprocess.run(["cargo", "build", "--release", "--bin", "newshound", "--example", "bench_peers"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    peers = Peers(1, MAILS, 300, 1)
    try:
        runs = [run(peers, f"burst-{i}") for i in range(3)]
    finally:
        peers.stop()
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = statistics.median(r[2] for r in runs)
    mails = [r[3] for r in runs]
    print(f"\n{MAILS:,} queued alerts, one delivery pass, median of 3 (mails received per run: {mails})")
    print(f"{MAILS / wall:,.0f} mails/s, {cpu / MAILS * 1000:.3f} ms CPU per mail, wall {wall:.2f} s, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
