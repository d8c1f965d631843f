#!/usr/bin/env python3
"""The web interface under load: every page against a database of
1,000,000 generated entries, measured with wrk at 50 connections on
127.0.0.1 for 10 s each.

  python3 bench/web.py                     # 1,000,000 entries (builds once, ~5 min)
  python3 bench/web.py --entries 100000    # smaller, quicker
  python3 bench/web.py --json              # the table as JSON
  python3 bench/web.py --alone             # server times only, no load

Needs wrk (Debian: apt-get install wrk) and a release build
(cargo build --release). The database is generated under target/bench-web
and reused by later runs with the same --entries; it is made by newshound
itself (the schema, its migrations and the summary tables' triggers), then
filled with SQL: 300 feeds, 10 rules, entries over 90 days, matches where a
rule's word is in the text (about 15% of entries) and a few hundred pending
and dead mails; `newshound web` then builds the search index at its first
start, as it does for any entries not indexed yet.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEEDS = 300
RULES = ["ceasefire", "mediation", "sanctions", "election", "drought",
         "earthquake", "inflation", "refugees", "cyberattack", "vaccine"]
DAYS = 90
PAGES = ["/", "/?rule=ceasefire", "/?feed=feed-7&since=7d", "/search?q=ceasefire",
         "/search?q=ceasefire&page=3", "/test?q=ceasefire&days=7", "/trends",
         "/trends/ceasefire", "/feeds", "/outbox"]
# Requests made one at a time per page for its server time.
ALONE = 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path, port):
    with open(path, "w") as f:
        for i in range(FEEDS):
            # Port 9 on loopback refuses at once: poll fails fast.
            f.write(f'[[feed]]\nname = "feed-{i}"\nurl = "http://127.0.0.1:9/{i}.xml"\n\n')
        for rule in RULES:
            f.write(f'[[rule]]\nname = "{rule}"\nquery = "{rule}"\nnotify = ["immediate"]\n'
                    f'to = ["desk@example.org"]\nsurge = {{}}\n\n')
        f.write(f'[web]\nlisten = "127.0.0.1:{port}"\n\n')
        # Every feed is on one host: no politeness delay for the first poll.
        f.write('[daemon]\nper_host_delay = "0s"\n')


def generate(binary, config, state, entries, seed=1):
    os.makedirs(state, exist_ok=True)
    # newshound creates and migrates the database, and the feed rows.
    subprocess.run([binary, "--config", config, "--state-dir", state, "poll"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = sqlite3.connect(os.path.join(state, "newshound.db"))
    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(3000)]
    now = int(time.time())
    start = now - DAYS * 86400
    db.execute("BEGIN")
    for n in range(entries):
        at = start + (n * DAYS * 86400) // entries + rng.randrange(600)
        words = rng.choices(vocabulary, k=30)
        hits = [r for r in RULES if rng.random() < 0.015]
        for r in hits:
            words[rng.randrange(len(words))] = r
        title = " ".join(words[:8]).capitalize()
        summary = " ".join(words[8:])
        feed = f"feed-{rng.randrange(FEEDS)}"
        cur = db.execute(
            "INSERT INTO entries (feed, identity, title, link, canonical_link, summary, content,"
            " content_hash, seen_at, processed_at, indexed, language)"
            " VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, 0, 'en')",
            (feed, f"id-{n}", title, f"https://example.org/{n}", f"https://example.org/{n}",
             summary, f"h{n}", at, at))
        entry = cur.lastrowid
        db.execute("UPDATE entries SET story_id = id WHERE id = ?", (entry,))
        for r in hits:
            snippet = " ".join(words[8:20]).replace(r, "\ue000" + r + "\ue001")
            db.execute("INSERT INTO matches (entry_id, rule, terms, snippet, matched_at, immediate)"
                       " VALUES (?, ?, ?, ?, ?, 1)", (entry, r, json.dumps([r]), snippet, at))
            state_ = "sent" if n < entries - 300 else rng.choice(["pending", "dead"])
            db.execute("INSERT INTO deliveries (entry_id, channel, recipient, rules, message_id,"
                       " state, attempts, last_error, created_at)"
                       " VALUES (?, 'email', 'desk@example.org', ?, ?, ?, ?, ?, ?)",
                       (entry, json.dumps([r]), f"m{n}-{r}@bench", state_,
                        0 if state_ == "sent" else 3,
                        None if state_ == "sent" else "SMTP: 451 try again later", at))
        if n % 100000 == 99999:
            db.execute("COMMIT")
            db.execute("BEGIN")
            print(f"  {n + 1} entries", file=sys.stderr)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()


def wait_for(port, proc):
    # The first start indexes the whole archive before it listens.
    for _ in range(12000):
        if proc.poll() is not None:
            sys.exit(f"newshound web exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("newshound web did not listen within 20 minutes")


def one_request(port, page):
    """Milliseconds from sending a request to the end of its response."""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {page} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        while s.recv(65536):
            pass
    return (time.perf_counter() - t0) * 1000


def wrk(url, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "10s", url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/newshound"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--alone", action="store_true",
                    help="only the server time of each page, no load run")
    args = ap.parse_args()
    base = os.path.join(ROOT, "target", f"bench-web-{args.entries}")
    state, config = os.path.join(base, "state"), os.path.join(base, "newshound.toml")
    os.makedirs(base, exist_ok=True)
    port = free_port()
    write_config(config, port)
    if not os.path.exists(os.path.join(state, "done")):
        print(f"generating {args.entries} entries under {base}", file=sys.stderr)
        generate(args.binary, config, state, args.entries)
        open(os.path.join(state, "done"), "w").close()
    proc = subprocess.Popen([args.binary, "--config", config, "--state-dir", state, "web"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_for(port, proc)
        # Server time first, with the server otherwise idle: requests one
        # at a time, the median of a few (the first also warms the caches).
        # Measured after a load run, a request would wait behind the
        # requests still queued from it.
        alone = {page: statistics.median(one_request(port, page) for _ in range(ALONE))
                 for page in PAGES}
        for page in PAGES:
            if args.alone:
                rows.append({"page": page, "single_ms": round(alone[page], 1), "rps": 0,
                             "p99_ms": 0.0, "errors": 0})
                continue
            rps, p99, bad = wrk(f"http://127.0.0.1:{port}{page}", args.seconds, args.connections)
            rows.append({"page": page, "single_ms": round(alone[page], 1), "rps": round(rps),
                         "p99_ms": round(p99, 1), "errors": bad})
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    if args.json:
        print(json.dumps({"entries": args.entries, "connections": args.connections,
                          "seconds": args.seconds, "pages": rows}, indent=2))
        return
    print(f"{args.entries} entries, wrk {args.connections} connections x {args.seconds} s, 2 threads")
    print(f"{'page':32} {'alone (median)':>15} {'req/s':>8} {'p99':>9} {'non-2xx':>8}")
    for r in rows:
        print(f"{r['page']:32} {r['single_ms']:>12.1f} ms {r['rps']:>8} {r['p99_ms']:>6.1f} ms {r['errors']:>8}")


if __name__ == "__main__":
    main()
