#!/usr/bin/env python3
"""Renders one real digest from the corpus's real feeds and, where Chromium
is installed, screenshots it in a headless browser.

The feeds under ../shared/corpus/feeds/real are served from 127.0.0.1,
polled by the debug build with a digest "morning" whose rules match common
news words, and `digest morning --preview` writes the HTML of the first 20
matches to bench/.work/digest/digest.html; `chromium --headless
--screenshot` writes digest.png beside it at a phone's width and at a
desktop's. Nothing is mailed: previews change nothing.

    python3 bench/digest_preview.py [--binary target/debug/newshound]
"""

import argparse
import functools
import http.server
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "feeds" / "real"
WORK = ROOT / "bench" / ".work" / "digest"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
# Rules of the kind a news desk keeps, over common words so the corpus's
# mostly technical feeds give a digest of a realistic size.
RULES = [
    ("security", "security OR vulnerability OR breach"),
    ("google", "google OR android"),
    ("apple", "apple OR iphone OR ipad"),
]
MATCHES = 20


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "debug" / "newshound"))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(CORPUS))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = render(args.binary, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
    page = WORK / "digest.html"
    page.write_text(html)
    print(f"wrote {page} ({len(html):,} bytes)")
    screenshot(page)


def render(binary, port):
    feeds = sorted(p for p in CORPUS.rglob("*") if p.suffix in FEED_SUFFIXES and p.is_file())
    lines = []
    for i, path in enumerate(feeds):
        url = f"http://127.0.0.1:{port}/{path.relative_to(CORPUS).as_posix()}"
        lines += ["[[feed]]", f'name = "f{i:03} {path.stem[:40]}"', f'url = "{url}"',
                  "scrape = false", "allow_private_network = true"]
    for name, query in RULES:
        lines += ["[[rule]]", f'name = "{name}"', f"query = '{query}'", 'notify = ["morning"]']
    lines += ["[[digest]]", 'name = "morning"', 'schedule = "0 7 * * *"',
              'timezone = "Europe/Berlin"', 'to = ["desk@example.org"]',
              "[daemon]", 'backfill = "3650days"', 'per_host_delay = "0s"',
              "per_host_connections = 16", 'log_level = "error"']
    config = WORK / "newshound.toml"
    config.write_text("\n".join(lines) + "\n")
    state = WORK / "state"
    base = [binary, "--config", str(config), "--state-dir", str(state)]
    # Feeds the corpus keeps broken on purpose fail; the rest are stored.
    subprocess.run(base + ["poll"], stdout=subprocess.DEVNULL, check=False, timeout=600)
    keep_newest(state / "newshound.db")
    done = subprocess.run(base + ["digest", "morning", "--preview"], capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout


def keep_newest(db_path):
    """Leaves the MATCHES newest waiting matches: the digest of one morning."""
    db = sqlite3.connect(db_path)
    waiting = db.execute("SELECT COUNT(*) FROM digest_items WHERE run_id IS NULL").fetchone()[0]
    db.execute(
        """DELETE FROM digest_items WHERE id NOT IN (
               SELECT di.id FROM digest_items di JOIN matches m ON m.id = di.match_id
               JOIN entries e ON e.id = m.entry_id
               ORDER BY COALESCE(e.published_at, e.seen_at) DESC LIMIT ?)""",
        (MATCHES,),
    )
    db.commit()
    db.close()
    print(f"{waiting} matches waited; the {MATCHES} newest are kept")


def screenshot(page):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("no chromium: install Debian's `chromium` package for the screenshots")
        return
    for label, size in [("phone", "400,2400"), ("desktop", "1200,1800")]:
        out = WORK / f"digest-{label}.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--window-size={size}",
                        f"--screenshot={out}", page.as_uri()],
                       capture_output=True, check=True, timeout=120)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
