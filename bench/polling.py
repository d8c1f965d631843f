#!/usr/bin/env python3
"""Polling benchmark: newshound against rss2email on the same feeds and the
same SMTP sink, all on 127.0.0.1 (see examples/bench_peers.rs).

Results and how they were taken: docs/performance.md, section Polling.

  python3 bench/polling.py            # every workload, medians of 3 runs
  python3 bench/polling.py --quick    # one run each, smaller W3: a quick check

W1   200 feeds x 50 items (~3 KB each), every item alerts by mail.
W1b  the same feeds, 2% of items match.
W2   second run: every feed answers 304.
W3   10,000 feeds, one sweep where nothing changed (304), and the idle
     memory of the daemon with them scheduled.

newshound runs with per_host_delay = 0 and per_host_connections = 32, since
every feed lives on 127.0.0.1, and scrape = false (article pages off); rss2email polls one feed after another.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
NEWSHOUND = ROOT / "target" / "release" / "newshound"
PEERS = ROOT / "target" / "release" / "examples" / "bench_peers"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(cmd, env=None, timeout=1800):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS MB, exit code).
    Its stderr goes to a file: a pipe nobody reads fills up and stalls a
    chatty program (rss2email warns once per item)."""
    log = WORK / "stderr.log"
    with open(log, "wb") as err_file:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise SystemExit(f"{cmd[0]} ran past {timeout} s")
            time.sleep(0.01)
        wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


class Peers:
    """The feed server and SMTP sink, stopped on exit."""

    def __init__(self, feeds, items, text_bytes, match_every, pages=False):
        self.http, self.smtp = free_port(), free_port()
        self.proc = subprocess.Popen(
            [str(PEERS), str(feeds), str(items), str(text_bytes), str(match_every), str(self.http), str(self.smtp),
             "1" if pages else "0"],
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout.readline().strip() == b"ready"
        self.feeds = feeds

    def mails(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/stats", timeout=10) as r:
            return int(r.read())

    def url(self, f):
        return f"http://127.0.0.1:{self.http}/feed/{f}.xml"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def write_config(path, smtp_port, feeds, query, daemon):
    """A benchmark config: SMTP to 127.0.0.1:`smtp_port`, `feeds` as
    (name, url, extra lines), one rule mailing `query`'s matches at once,
    and `daemon` lines. Storm control is off: every match is mailed."""
    lines = ["[smtp]", f'url = "smtp://127.0.0.1:{smtp_port}"', 'from = "newshound <bench@example.org>"']
    for name, url, extra in feeds:
        lines += ["[[feed]]", f'name = "{name}"', f'url = "{url}"', *extra]
    lines += ["[[rule]]", 'name = "bench"', f"query = '{query}'", 'notify = ["immediate"]', 'to = ["desk@example.org"]',
              "max_immediate_per_hour = 0"]
    lines += ["[daemon]", *daemon, 'log_level = "error"']
    path.write_text("\n".join(lines) + "\n")


def newshound_config(peers, query, path):
    feeds = [(f"f{f}", peers.url(f), ["scrape = false"]) for f in range(peers.feeds)]
    daemon = ['per_host_delay = "0s"', "per_host_connections = 32", "concurrency = 64"]
    write_config(path, peers.smtp, feeds, query, daemon)


def rss2email_setup(peers, directory):
    venv = WORK / "venv"
    r2e = venv / "bin" / "r2e"
    if not r2e.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rss2email==3.14"], check=True)
    directory.mkdir(parents=True)
    cfg, data = directory / "cfg", directory / "data.json"
    subprocess.run([str(r2e), "-c", str(cfg), "-d", str(data), "new", "desk@example.org"], check=True, capture_output=True)
    text = cfg.read_text()
    text = text.replace("email-protocol = sendmail", "email-protocol = smtp")
    text = text.replace("smtp-server = smtp.example.net", "smtp-server = 127.0.0.1")
    text = text.replace("smtp-port = 465", f"smtp-port = {peers.smtp}")
    for f in range(peers.feeds):
        text += f"\n[feed.f{f}]\nurl = {peers.url(f)}\n"
    cfg.write_text(text)
    return [str(r2e), "-c", str(cfg), "-d", str(data), "run"]


def fresh(name):
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run_newshound(peers, query, name, passes):
    """Runs `newshound poll` `passes` times on one fresh state directory."""
    state = fresh(name)
    config = state / "newshound.toml"
    newshound_config(peers, query, config)
    cmd = [str(NEWSHOUND), "--config", str(config), "--state-dir", str(state), "poll"]
    results = []
    for _ in range(passes):
        before = peers.mails()
        wall, cpu, rss, _ = measure(cmd)
        results.append((wall, cpu, rss, peers.mails() - before))
    return results, config, state


def run_rss2email(peers, name, passes):
    cmd = rss2email_setup(peers, fresh(name) / "r2e")
    results = []
    for _ in range(passes):
        before = peers.mails()
        wall, cpu, rss, _ = measure(cmd, timeout=3600)
        results.append((wall, cpu, rss, peers.mails() - before))
    return results


def median_of(runs, index):
    return statistics.median(r[index] for r in runs)


def idle_rss_mb(config, state, seconds=5):
    proc = subprocess.Popen(
        [str(NEWSHOUND), "--config", str(config), "--state-dir", str(state), "run"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(seconds)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        kb = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:"))
        return kb / 1024
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one run each and 2,000 feeds in W3")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    subprocess.run(["cargo", "build", "--release", "--bin", "newshound", "--example", "bench_peers"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []

    items = 200 * 50
    peers = Peers(200, 50, 3000, 1)
    try:
        ours, theirs, ours2, theirs2 = [], [], [], []
        for i in range(runs):
            first, _, _ = run_newshound(peers, "report", f"w1-{i}", 2)
            ours.append(first[0])
            ours2.append(first[1])
            r2e = run_rss2email(peers, f"w1-r2e-{i}", 2)
            theirs.append(r2e[0])
            theirs2.append(r2e[1])
    finally:
        peers.stop()
    for label, a, b, count in [("W1 cold ingest", ours, theirs, items), ("W2 nothing new", ours2, theirs2, 200)]:
        unit = "items" if count == items else "feeds"
        ra, rb = count / median_of(a, 0), count / median_of(b, 0)
        ca, cb = median_of(a, 1) / count * 1000, median_of(b, 1) / count * 1000
        rows.append((label, f"{ra:,.0f} {unit}/s", f"{rb:,.0f} {unit}/s", f"{ra / rb:.1f}x",
                     f"{ca:.3f} ms", f"{cb:.3f} ms", f"{cb / ca:.1f}x", f"{median_of(a, 2):.0f} MB", f"{median_of(b, 2):.0f} MB",
                     f"mails {median_of(a, 3):.0f} / {median_of(b, 3):.0f}"))

    peers = Peers(200, 50, 3000, 50)
    try:
        w1b = [run_newshound(peers, "ceasefire", f"w1b-{i}", 1)[0][0] for i in range(runs)]
    finally:
        peers.stop()
    rows.append(("W1b 2% match", f"{items / median_of(w1b, 0):,.0f} items/s", "", "", f"{median_of(w1b, 1) / items * 1000:.3f} ms",
                 "", "", f"{median_of(w1b, 2):.0f} MB", "", f"mails {median_of(w1b, 3):.0f}"))

    feeds = 2000 if args.quick else 10000
    peers = Peers(feeds, 2, 200, 0)
    try:
        sweeps = []
        for i in range(runs):
            results, config, state = run_newshound(peers, "ceasefire", f"w3-{i}", 2)
            sweeps.append(results[1])
        idle = idle_rss_mb(config, state)
    finally:
        peers.stop()
    rows.append((f"W3 {feeds:,} feeds, nothing new", f"{feeds / median_of(sweeps, 0):,.0f} feeds/s", "", "",
                 f"{median_of(sweeps, 1) / feeds * 1000:.3f} ms", "", "", f"{median_of(sweeps, 2):.0f} MB", "",
                 f"idle RSS {idle:.0f} MB"))

    print(f"\nmedians of {runs} run(s); CPU is user + system per item (W1, W1b) or per feed (W2, W3)\n")
    print("| workload | newshound | rss2email | speed ratio | newshound CPU | rss2email CPU | CPU ratio | newshound peak RSS | rss2email peak RSS | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
