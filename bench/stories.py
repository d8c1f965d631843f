#!/usr/bin/env python3
"""Story clustering, measured on a labelled set built from real articles:
a wire story re-published by several outlets must be one story, and two
different stories must never be merged (a false merge loses an alert, so
merge precision matters most).

  python3 bench/stories.py                    # the table, newshound story
  python3 bench/stories.py --fake             # the same, with the stand-in
                                              # clusterer below (a check of
                                              # the set and the scoring)
  python3 bench/stories.py --json             # the table as JSON
  python3 bench/stories.py --seed 2 --thresholds 0.6,0.7 --default 0.6
  python3 bench/stories.py --sites tune       # half the sites: choose on it
  python3 bench/stories.py --sites held-out   # the other half: report it

The set is generated at run time, deterministically from --seed, out of
the full-text articles in ../shared/corpus (nothing of it is copied here):
extraction/*/ground-truth.json (dev, fundus; trafilatura-eval has snippets,
not bodies, and is left out) and readability/*/expected.html (the text of
its <p> elements, pages under 150 words skipped). Articles under 120 words
are dropped, and so is an article whose text is half contained in an
earlier one (the corpus's own duplicates would be mislabelled).

Each article kept is an original, one story. About half get 1-3 copies,
each from a different fake outlet and each with a random mix of what
syndication does: an agency dateline, another headline, the last 30-50% cut
or a paragraph of another article inserted, a paragraph dropped, 2-4% of
words replaced, the outlet's boilerplate appended. A copy is the same story
as its original. Hard negatives, each a story of its own:
  same-site-boilerplate  originals of one site, all ending in the site's
                         40-80-word boilerplate
  same-outlet-copies     copies of different stories by one fake outlet
                         (its boilerplate again)
  same-topic             the originals with the most content words in
                         common (TF-IDF cosine)
  same-lead              a new write-up with an original's title and first
                         sentence, the rest from another article; an
                         independent report quoting a lead is another
                         article, but the case is arguable, so its merges
                         are counted apart as well
  extended-update        an original's text plus 60-120% more words of new
                         paragraphs (from articles that are not originals)
Entries arrive in order, a copy after its original, a minute apart (well
inside the 72 h window); each run of `newshound --state-dir DIR story
--batch FILE.jsonl --similarity X` starts on a fresh state directory.
--fake stands in for it with 3-word-shingle containment (fake_story
below: the behaviour the command is expected to have); --keep FILE writes
the set with its labels, to see what a score is made of.

Words are whitespace-separated, so Japanese pages (no spaces) fall under
120 words and out; Korean and the one Chinese page stay. Readability's
lorem-ipsum parser fixtures are left out too: they share their filler.

Scores, per threshold: pairwise merge precision and recall over all pairs
of entries (a pair is merged when both got the same story), and the share
of true stories alerted exactly once (all their entries in one predicted
story that holds nothing else). At --default, recall per edit and false
merges per negative kind, with examples.
"""
import argparse
import hashlib
import json
import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
NEWSHOUND = ROOT / "target" / "release" / "newshound"
# Second-level labels under which countries register names (co.uk, ne.jp).
SECOND_LEVEL = {"co", "com", "net", "org", "gov", "govt", "gouv", "ac", "edu", "ne", "or", "go", "gob", "nic"}

MIN_WORDS = 120
MIN_READABILITY_WORDS = 150
# An article this much contained in an earlier one is the same text.
DUPLICATE_CONTAINMENT = 0.5
START = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)

DATELINES = [
    "LONDON (Reuters) - ", "WASHINGTON (AP) — ", "PARIS (AFP) - ", "BERLIN (dpa) - ",
    "NEW YORK (Reuters) - ", "BRUSSELS (AFP) — ", "TOKYO (AP) — ", "MADRID (EFE) - ",
]
OUTLETS = [
    "The Morning Ledger", "Northern Courier", "Valley Gazette", "Harbour Times", "The Evening Sentinel",
    "Capital Dispatch", "Riverside Herald", "Lakeshore Tribune", "The Daily Beacon", "Coastal Observer",
    "Midland Chronicle", "Prairie Post",
]
# Syndication's light rewording; everything else is swapped for another
# word of the same article (there is no thesaurus to hand, and the texts
# are in a dozen languages).
REWORDINGS = {
    "said": "told reporters", "says": "tells reporters", "percent": "per cent", "about": "around",
    "also": "additionally", "but": "however", "however": "but", "big": "large", "large": "big",
    "shows": "indicates", "people": "individuals", "government": "administration", "company": "firm",
    "firm": "company", "before": "prior to", "after": "following", "many": "numerous",
    "began": "started", "started": "began", "buy": "purchase", "use": "utilise", "help": "assist",
}
BOILERPLATE_SENTENCES = [
    "Sign up for our newsletter and get the day's top stories delivered to your inbox every morning.",
    "Follow {name} on Facebook, Instagram and X for breaking news as it happens.",
    "Have a news tip? Email the newsroom at tips@{domain} or message us securely.",
    "Our journalism depends on readers like you: subscribe today for unlimited access to every story.",
    "Comments are moderated and may take some time to appear below this article.",
    "This material may not be published, broadcast, rewritten or redistributed without permission.",
    "Download the {name} app for alerts on the stories that matter to you.",
    "Read more local news, sport and weather on {domain}.",
    "Advertising helps fund our reporting; thank you for supporting independent journalism.",
]


@dataclass
class Article:
    key: str
    source: str
    site: str
    title: str
    paragraphs: list

    @property
    def words(self):
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass
class Entry:
    id: str
    feed: str
    title: str
    paragraphs: list
    label: str      # the true story
    kind: str       # original, original+site-boilerplate, copy, same-lead, extended-update
    edits: list = field(default_factory=list)
    original: str = ""   # for a copy, its original's entry id
    position: float = 0.0

    @property
    def text(self):
        return "\n\n".join(self.paragraphs)


# ---------------------------------------------------------------- corpus

def registered_domain(url):
    """example.co.uk for https://www.news.example.co.uk/a: the last two
    labels, three under a country's generic second level (co.uk, com.au)."""
    labels = (urlparse(url).hostname or url).lower().split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def split_paragraphs(body):
    """dev separates paragraphs with blank lines, fundus with single
    newlines: either way a line is a paragraph."""
    return [" ".join(line.split()) for line in body.splitlines() if line.strip()]


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def short_title(sentence, limit=12):
    words = sentence.split()
    return " ".join(words[:limit]).rstrip(",;:")


class Paragraphs(HTMLParser):
    """The text of each <p> element of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.paragraphs, self.current, self.skip = [], None, 0

    def flush(self):
        if self.current is not None:
            text = " ".join("".join(self.current).split())
            if text:
                self.paragraphs.append(text)
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "p":
            self.flush()  # a <p> cannot nest: a new one closes the last
            self.current = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "p":
            self.flush()

    def handle_data(self, data):
        if self.current is not None and not self.skip:
            self.current.append(data)


def extraction_articles():
    """Every extraction set whose ground truth is full text (a string
    articleBody); trafilatura-eval's evaldata.json holds snippets instead."""
    for truth_file in sorted((CORPUS / "extraction").glob("*/ground-truth.json")):
        source = truth_file.parent.name
        for key, value in sorted(json.loads(truth_file.read_text()).items()):
            body = value.get("articleBody") if isinstance(value, dict) else None
            if isinstance(body, str):
                site = registered_domain(value.get("url") or key)
                yield Article(f"{source}/{key}", source, site, value.get("title") or "", split_paragraphs(body))


def readability_articles(dropped):
    for case in sorted((CORPUS / "readability").iterdir()):
        expected = case / "expected.html"
        if not expected.exists():
            continue
        parser = Paragraphs()
        parser.feed(expected.read_text(errors="replace"))
        parser.close()
        parser.flush()
        if sum(len(p.split()) for p in parser.paragraphs) < MIN_READABILITY_WORDS:
            dropped[f"readability under {MIN_READABILITY_WORDS} words"] += 1
            continue
        if any("lorem ipsum" in p.lower() for p in parser.paragraphs):
            # A parser fixture, not an article: they all share one filler.
            dropped["readability lorem-ipsum fixtures"] += 1
            continue
        metadata = case / "expected-metadata.json"
        title = (json.loads(metadata.read_text()).get("title") or "") if metadata.exists() else ""
        # Cases are named after their site: bbc-1, ars-1, nytimes-3.
        site = re.sub(r"-\d+$", "", case.name)
        yield Article(f"readability/{case.name}", "readability", site, " ".join(title.split()), parser.paragraphs)


def tokens(text):
    return re.findall(r"\w+", text.lower())


def shingles(text, size=3):
    words = tokens(text)
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def load_articles():
    """Articles of at least MIN_WORDS, titled, the corpus's own duplicates
    left out; and what was dropped, for the report."""
    kept, dropped, seen = [], Counter(), []
    for article in list(extraction_articles()) + list(readability_articles(dropped)):
        if article.words < MIN_WORDS:
            dropped[f"{article.source} under {MIN_WORDS} words"] += 1
            continue
        mine = shingles(" ".join(article.paragraphs))
        if any(len(mine & theirs) >= DUPLICATE_CONTAINMENT * min(len(mine), len(theirs)) for theirs in seen):
            dropped[f"{article.source} duplicate of an earlier article"] += 1
            continue
        seen.append(mine)
        if not article.title:
            article.title = short_title(sentences(article.paragraphs[0])[0])
        kept.append(article)
    return kept, dropped


# ---------------------------------------------------------------- topics

def tfidf_vectors(articles):
    """Unit TF-IDF vectors of content words (four letters or more)."""
    counts = [Counter(t for t in tokens(" ".join(a.paragraphs)) if len(t) >= 4 and not t.isdigit()) for a in articles]
    df = Counter(t for c in counts for t in c)
    vectors = []
    for c in counts:
        v = {t: n * math.log(len(articles) / df[t]) for t, n in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def most_similar_pairs(vectors, indices, count):
    """Up to count disjoint pairs of indices, the most similar first."""
    scored = sorted(((cosine(vectors[i], vectors[j]), i, j) for n, i in enumerate(indices) for j in indices[n + 1:]),
                    reverse=True)
    used, pairs = set(), []
    for score, i, j in scored:
        if len(pairs) == count:
            break
        if i not in used and j not in used:
            used |= {i, j}
            pairs.append((i, j, score))
    return pairs


# ---------------------------------------------------------------- edits

def boilerplate(rng, name, low, high):
    """A fixed block of an outlet's or site's furniture, low-high words."""
    domain = re.sub(r"[^a-z]", "", name.lower().replace("the ", "")) + ".example"
    pool = [s.format(name=name, domain=domain) for s in BOILERPLATE_SENTENCES]
    rng.shuffle(pool)
    closing = f"© 2026 {name}. All rights reserved."
    block, size = [], len(closing.split())
    for sentence in pool:
        if size + len(sentence.split()) > high:
            continue
        block.append(sentence)
        size += len(sentence.split())
        if size >= low:
            break
    return " ".join(block + [closing])


def word_count(paragraphs):
    return sum(len(p.split()) for p in paragraphs)


def cut_tail(rng, paragraphs):
    """The last 30-50% of the words cut: at a paragraph boundary when one
    lands in that range, else mid-paragraph."""
    total = word_count(paragraphs)
    share = rng.uniform(0.3, 0.5)
    keep = total - round(share * total)
    best = min(range(1, len(paragraphs)), key=lambda n: abs(word_count(paragraphs[:n]) - keep), default=None)
    if best is not None and 0.3 <= 1 - word_count(paragraphs[:best]) / total <= 0.5:
        return paragraphs[:best]
    out, left = [], keep
    for p in paragraphs:
        words = p.split()
        if len(words) >= left:
            out.append(" ".join(words[:left]))
            break
        out.append(p)
        left -= len(words)
    return out


def passage(rng, article, low, high):
    """A run of low-high consecutive words of article (cut at words, not
    sentences: the point is text no other entry has)."""
    words = " ".join(article.paragraphs).split()
    length = rng.randint(low, min(high, len(words)))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start:start + length])


def insert_local(rng, paragraphs, sources):
    """The outlet's own paragraph of 40-90 words (another article's)."""
    addition = passage(rng, rng.choice(sources), 40, 90)
    at = rng.randint(1, len(paragraphs))
    return paragraphs[:at] + [addition] + paragraphs[at:]


def drop_paragraph(rng, paragraphs):
    at = rng.randint(1, len(paragraphs) - 1)
    return paragraphs[:at] + paragraphs[at + 1:]


def reword(rng, paragraphs):
    """2-4% of the words replaced: a rewording when one is known, else
    another word of the same article."""
    words = [p.split() for p in paragraphs]
    places = [(i, j) for i, p in enumerate(words) for j in range(len(p))]
    vocabulary = [w for p in words for w in p]
    for i, j in rng.sample(places, max(1, round(rng.uniform(0.02, 0.04) * len(places)))):
        word = words[i][j]
        bare = word.strip(".,;:!?\"'“”").lower()
        if bare in REWORDINGS:
            words[i][j] = word.lower().replace(bare, REWORDINGS[bare])
        else:
            words[i][j] = rng.choice(vocabulary)
    return [" ".join(p) for p in words]


def new_headline(rng, article):
    """Another headline, as desks write them: an update tag, the words
    reordered, a later sentence of the body, or a kicker."""
    words = article.title.split()
    later = [s for p in article.paragraphs for s in sentences(p)][1:6]
    choice = rng.choice(["update", "reorder", "sentence", "kicker"])
    if choice == "sentence" and later:
        return short_title(rng.choice(later))
    if choice == "reorder" and len(words) >= 4:
        cut = rng.randint(1, len(words) - 1)
        return " ".join(words[cut:] + words[:cut])
    if choice == "kicker":
        return rng.choice(["Explainer: ", "Watch: ", "Analysis: ", "Live: "]) + " ".join(words[:max(3, len(words) - 2)])
    return "UPDATE 1-" + article.title


def syndicate(rng, article, outlet, outlet_boilerplate, sources):
    """One outlet's copy of article: its paragraphs, title and the edits."""
    paragraphs, title, edits = list(article.paragraphs), article.title, []
    if len(paragraphs) >= 3 and rng.random() < 0.5:
        paragraphs = drop_paragraph(rng, paragraphs)
        edits.append("drop")
    # Reworded before anything is inserted: a swap takes a word of the
    # article itself, not of the outlet's paragraph.
    if rng.random() < 0.5:
        paragraphs = reword(rng, paragraphs)
        edits.append("reword")
    length_edit = rng.choice(["cut", "insert", None])
    if length_edit == "cut":
        paragraphs = cut_tail(rng, paragraphs)
        edits.append("cut")
    elif length_edit == "insert":
        paragraphs = insert_local(rng, paragraphs, sources)
        edits.append("insert")
    if rng.random() < 0.5:
        paragraphs[0] = rng.choice(DATELINES) + paragraphs[0]
        edits.append("dateline")
    if rng.random() < 0.5:
        paragraphs.append(outlet_boilerplate)
        edits.append("boilerplate")
    if rng.random() < 0.5:
        title = new_headline(rng, article)
        edits.append("headline")
    return title, paragraphs, edits or ["verbatim"]


def take_paragraphs(queue, target):
    """target words of paragraphs from the front of queue, which loses
    them (so no two entries share new text); None when it runs dry."""
    out = []
    while word_count(out) < target:
        if not queue:
            return None
        words = queue.pop(0).split()
        left = target - word_count(out)
        out.append(" ".join(words[:left]))
        if len(words) > left:
            queue.insert(0, " ".join(words[left:]))
    return out


# ---------------------------------------------------------------- the set

class Builder:
    """The labelled set, entry by entry; negative pairs by kind."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.entries, self.negatives = [], {}
        self.boilerplates = {}
        self.stories = defaultdict(list)  # label -> its entries
        self.sizes = Counter()

    def add(self, entry):
        self.entries.append(entry)
        self.stories[entry.label].append(entry)
        return entry

    def negative(self, a, b, kind):
        # The first kind a pair is listed under is the one it counts for.
        self.negatives.setdefault(frozenset((a.id, b.id)), kind)

    def outlet_boilerplate(self, name, low=20, high=50):
        if name not in self.boilerplates:
            self.boilerplates[name] = boilerplate(self.rng, name, low, high)
        return self.boilerplates[name]

    def build(self, articles):
        rng = self.rng
        articles = list(articles)
        rng.shuffle(articles)
        # Extensions and independent write-ups take their new text from
        # articles that are in the set nowhere else: text shared with a
        # third entry would make that one a near-copy of the negative.
        n_lead = n_update = max(3, len(articles) // 25)
        donors, originals = articles[:n_lead + 2 * n_update], articles[n_lead + 2 * n_update:]
        first = {}
        for n, article in enumerate(originals):
            first[article.key] = self.add(Entry(f"orig-{n}", article.site, article.title, list(article.paragraphs),
                                                article.key, "original", position=10.0 * n))
        self.sizes["originals"] = len(originals)
        self.sizes["sites"] = len({a.site for a in originals})
        vectors = tfidf_vectors(originals + donors)
        # Listed first: a same-topic pair that is also of one site counts
        # as same-topic, the harder of the two.
        self.same_topic(originals, first, vectors)
        self.site_groups(originals, first)
        self.copies(originals, donors, first)
        self.same_lead(originals, donors[:n_lead], first, vectors)
        self.extended_updates(originals, donors[n_lead:], first, n_update)
        self.entries.sort(key=lambda e: e.position)
        return self.entries

    def site_groups(self, originals, first):
        """Originals of one site given that site's boilerplate: the real
        sites with several originals, then pairs under made-up sites."""
        rng = self.rng
        by_site = defaultdict(list)
        for a in originals:
            by_site[a.site].append(a)
        groups = [members[:4] for site, members in sorted(by_site.items()) if len(members) >= 2]
        grouped = {a.key for g in groups for a in g}
        rest = [a for a in originals if a.key not in grouped]
        rng.shuffle(rest)
        wanted = max(0, len(originals) // 8 - len(grouped))
        groups += [rest[i:i + 2] for i in range(0, wanted - wanted % 2, 2)]
        for number, group in enumerate(groups):
            site = group[0].site if len({a.site for a in group}) == 1 else f"site{number}.example"
            block = self.outlet_boilerplate(site, 40, 80)
            for a in group:
                entry = first[a.key]
                entry.feed = site
                entry.paragraphs = entry.paragraphs + [block]
                entry.kind = "original+site-boilerplate"
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    self.negative(first[a.key], first[b.key], "same-site-boilerplate")
        self.sizes["same-site-boilerplate groups"] = len(groups)
        self.sizes["same-site-boilerplate originals"] = sum(len(g) for g in groups)

    def copies(self, originals, donors, first):
        """1-3 copies of about half the originals. An inserted paragraph
        comes from a donor: a passage of another original would make that
        original, arriving later, look contained in the copy."""
        rng = self.rng
        by_outlet = defaultdict(list)
        for a in originals:
            if rng.random() >= 0.5:
                continue
            for k, outlet in enumerate(rng.sample(OUTLETS, rng.randint(1, 3))):
                title, paragraphs, edits = syndicate(rng, a, outlet, self.outlet_boilerplate(outlet), donors)
                copy = self.add(Entry(f"{first[a.key].id}-copy{k + 1}", outlet, title, paragraphs, a.key, "copy",
                                      edits, first[a.key].id, first[a.key].position + rng.uniform(0.5, 40)))
                by_outlet[outlet].append(copy)
            self.sizes["originals with copies"] += 1
        for outlet, copies in by_outlet.items():
            for i, a in enumerate(copies):
                for b in copies[i + 1:]:
                    self.negative(a, b, "same-outlet-copies")
        self.sizes["copies"] = sum(len(c) for c in by_outlet.values())

    def same_topic(self, originals, first, vectors):
        pairs = most_similar_pairs(vectors, list(range(len(originals))), max(5, len(originals) // 20))
        for i, j, score in pairs:
            self.negative(first[originals[i].key], first[originals[j].key], "same-topic")
        self.sizes["same-topic pairs"] = len(pairs)
        self.topic_cosines = [round(score, 2) for _, _, score in pairs]

    def same_lead(self, originals, donors, first, vectors):
        """An independent report: the original's title and first sentence,
        then the paragraphs of the donor most like it in topic."""
        offset, used = len(originals), set()
        for d, donor in enumerate(donors):
            i = max((i for i in range(len(originals)) if i not in used),
                    key=lambda i: cosine(vectors[offset + d], vectors[i]))
            used.add(i)
            article = originals[i]
            lead = sentences(article.paragraphs[0])[0]
            body = donor.paragraphs[1:] if len(donor.paragraphs) >= 3 else donor.paragraphs
            entry = self.add(Entry(f"{first[article.key].id}-lead", donor.site, article.title, [lead] + body,
                                   f"lead:{donor.key}", "same-lead",
                                   position=first[article.key].position + self.rng.uniform(0.5, 60)))
            for other in self.stories[article.key]:
                self.negative(entry, other, "same-lead")
        self.sizes["same-lead entries"] = len(donors)

    def extended_updates(self, originals, donors, first, count):
        """The original with 60-120% more words of new paragraphs, from the
        same feed or another outlet, at the top or the end. Originals of
        news length only: the donors' text would not double a long read."""
        rng = self.rng
        queue = [p for d in donors for p in d.paragraphs]
        candidates = [a for a in originals if a.words <= 1200]
        made = 0
        for article in rng.sample(candidates, min(count, len(candidates))):
            base = first[article.key]
            extra = take_paragraphs(queue, round(rng.uniform(0.6, 1.2) * article.words))
            if extra is None:
                break
            made += 1
            text = list(article.paragraphs)
            text = text[:1] + extra + text[1:] if rng.random() < 0.5 else text + extra
            feed = base.feed if rng.random() < 0.5 else rng.choice(OUTLETS)
            title = article.title if rng.random() < 0.5 else "UPDATE 2-" + article.title
            entry = self.add(Entry(f"{base.id}-update", feed, title, text, f"update:{article.key}", "extended-update",
                                   position=base.position + rng.uniform(20, 120)))
            for other in self.stories[article.key]:
                self.negative(entry, other, "extended-update")
        self.sizes["extended-update entries"] = made


def write_batch(entries, path):
    with open(path, "w") as f:
        for n, e in enumerate(entries):
            published = (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.write(json.dumps({"id": e.id, "feed": e.feed, "title": e.title, "text": e.text,
                                "published": published}, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- clustering

def fake_story(batch, threshold):
    """A stand-in for `newshound story`, and the behaviour it is expected to
    have: each entry joins the story of the earlier entry that contains the
    largest share of its distinct 3-word shingles, when that share reaches
    the threshold; else it starts a story of its own. (Every entry here is
    inside the 72 h window, so time plays no part.)"""
    postings = defaultdict(list)  # shingle -> indices of earlier entries
    stories, out = [], []
    for line in open(batch, encoding="utf-8"):
        item = json.loads(line)
        mine = shingles(item["text"])
        hits = Counter(i for s in mine for i in postings[s])
        # No candidate at all for the first entry; none sharing a shingle is 0.
        similarity, story = (0.0 if stories else None), item["id"]
        if hits:
            best, found = max(hits.items(), key=lambda kv: (kv[1], -kv[0]))  # the earliest of equals
            similarity = found / len(mine)
            if similarity >= threshold:
                story = stories[best]
        for s in mine:
            postings[s].append(len(stories))
        stories.append(story)
        out.append({"id": item["id"], "story": story, "similarity": similarity})
    return out


def newshound_story(binary, batch, threshold):
    state = tempfile.mkdtemp(prefix="newshound-stories-")
    try:
        run = subprocess.run([str(binary), "--state-dir", state, "story", "--batch", str(batch),
                              "--similarity", str(threshold)], capture_output=True, text=True)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    if run.returncode != 0:
        raise SystemExit(f"newshound story --similarity {threshold} failed (exit {run.returncode}):\n{run.stderr}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def assignments(lines, entries):
    """id -> (story, similarity), checked to cover every entry."""
    out = {line["id"]: (line["story"], line.get("similarity")) for line in lines}
    missing = [e.id for e in entries if e.id not in out]
    if missing:
        raise SystemExit(f"no story for {len(missing)} entries, e.g. {missing[:3]}")
    return out


# ---------------------------------------------------------------- scores

def pairs(n):
    return n * (n - 1) // 2


def scores(entries, assigned, negatives):
    story = {e.id: assigned[e.id][0] for e in entries}
    same_label = sum(pairs(n) for n in Counter(e.label for e in entries).values())
    merged = sum(pairs(n) for n in Counter(story.values()).values())
    right = sum(pairs(n) for n in Counter((e.label, story[e.id]) for e in entries).values())
    predicted_of = defaultdict(set)
    labels_in = defaultdict(set)
    for e in entries:
        predicted_of[e.label].add(story[e.id])
        labels_in[story[e.id]].add(e.label)
    once = sum(1 for found in predicted_of.values() if len(found) == 1 and len(labels_in[next(iter(found))]) == 1)
    lead_merges = sum(1 for pair, kind in negatives.items()
                      if kind == "same-lead" and len({story[i] for i in pair}) == 1)
    return {
        "precision": right / merged if merged else 1.0,
        "recall": right / same_label if same_label else 1.0,
        "alerted_once": once / len(predicted_of),
        "false_merges": merged - right,
        "same_lead_merges": lead_merges,
    }


def breakdown(entries, assigned, negatives):
    """Recall per edit, false merges per negative kind, and examples."""
    story = {e.id: assigned[e.id][0] for e in entries}
    similarity = {e.id: assigned[e.id][1] for e in entries}
    edits, missed = defaultdict(lambda: [0, 0]), []
    for e in entries:
        if e.kind != "copy":
            continue
        joined = story[e.id] == story[e.original]
        for edit in e.edits + ["all copies"]:
            edits[edit][0] += joined
            edits[edit][1] += 1
        if not joined:
            missed.append({"id": e.id, "original": e.original, "edits": e.edits, "similarity": similarity[e.id]})
    kinds = defaultdict(lambda: [0, 0])
    for pair, kind in negatives.items():
        kinds[kind][0] += len({story[i] for i in pair}) == 1
        kinds[kind][1] += 1
    false_merges = []
    members = defaultdict(list)
    for e in entries:
        members[story[e.id]].append(e)
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.label != b.label:
                    false_merges.append({"ids": [a.id, b.id], "kinds": [a.kind, b.kind],
                                         "negative": negatives.get(frozenset((a.id, b.id)), "unlisted"),
                                         "similarity": similarity[b.id]})
    listed = sum(merged for merged, _ in kinds.values())
    kinds["unlisted"] = [len(false_merges) - listed, None]
    by_similarity = lambda row: -(row["similarity"] or 0)
    return {
        "recall_per_edit": {k: {"joined": j, "copies": n, "recall": j / n} for k, (j, n) in sorted(edits.items())},
        "false_merges_per_kind": {k: {"merged": m, "pairs": n} for k, (m, n) in sorted(kinds.items())},
        "false_merge_examples": sorted(false_merges, key=by_similarity)[:10],
        "missed_copy_examples": sorted(missed, key=by_similarity)[:10],
    }


# ---------------------------------------------------------------- report

def print_sizes(builder, dropped, entries):
    s = builder.sizes
    print(f"set: {s['originals']} originals from {s['sites']} sites, {s['copies']} copies of "
          f"{s['originals with copies']} of them, {len(entries)} entries in all")
    print(f"negatives: {s['same-site-boilerplate groups']} same-site-boilerplate groups "
          f"({s['same-site-boilerplate originals']} originals), {s['same-topic pairs']} same-topic pairs "
          f"(cosine {min(builder.topic_cosines):.2f}-{max(builder.topic_cosines):.2f}), "
          f"{s['same-lead entries']} same-lead entries, {s['extended-update entries']} extended-update entries")
    pair_kinds = Counter(builder.negatives.values())
    print("negative pairs by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(pair_kinds.items())))
    if dropped:
        print("left out of the corpus: " + ", ".join(f"{n} {why}" for why, n in sorted(dropped.items())))


def print_table(rows):
    print("\n| similarity | merge precision | merge recall | stories alerted once | false merges (pairs) | of which same-lead |")
    print("|---:|---:|---:|---:|---:|---:|")
    for threshold, r in rows:
        print(f"| {threshold:g} | {r['precision']:.3f} | {r['recall']:.3f} | {r['alerted_once']:.3f} "
              f"| {r['false_merges']} | {r['same_lead_merges']} |")


def print_breakdown(threshold, b):
    print(f"\nat similarity {threshold:g}, copies joined to their original, per edit:")
    for edit, r in b["recall_per_edit"].items():
        print(f"  {edit:<14} {r['joined']:>4} / {r['copies']:<4} {r['recall']:.3f}")
    print("false merges per negative kind (merged pairs / listed pairs):")
    for kind, r in b["false_merges_per_kind"].items():
        total = "" if r["pairs"] is None else f" / {r['pairs']}"
        print(f"  {kind:<22} {r['merged']}{total}")
    show = lambda x: "null" if x is None else f"{x:.3f}"
    if b["false_merge_examples"]:
        print("false merges, the most similar first (similarity: the later entry's best candidate):")
        for row in b["false_merge_examples"]:
            print(f"  {row['ids'][0]} + {row['ids'][1]}  {row['negative']}  similarity {show(row['similarity'])}")
    if b["missed_copy_examples"]:
        print("missed copies, the most similar first:")
        for row in b["missed_copy_examples"]:
            print(f"  {row['id']} ({'+'.join(row['edits'])})  similarity {show(row['similarity'])}")


def write_labelled(entries, path):
    """The set with its truth, for a look at what a score is made of."""
    with open(path, "w") as f:
        for e in entries:
            f.write(json.dumps({"id": e.id, "feed": e.feed, "label": e.label, "kind": e.kind, "edits": e.edits,
                                "title": e.title, "text": e.text}, ensure_ascii=False) + "\n")



def site_half(site):
    """The half of the sites `site` is in, "tune" or "held-out": a stable
    hash of its name, so no site is in both."""
    digest = hashlib.sha256(site.encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "held-out"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="the set's random seed")
    parser.add_argument("--thresholds", default="0.5,0.6,0.65,0.7,0.75,0.8,0.85,0.9")
    parser.add_argument("--default", type=float, default=0.65, help="the threshold broken down by kind")
    parser.add_argument("--json", action="store_true", help="the table as JSON on stdout")
    parser.add_argument("--fake", action="store_true", help="cluster with the stand-in, not newshound")
    parser.add_argument("--binary", default=str(NEWSHOUND))
    parser.add_argument("--keep", help="also write the set (JSONL, with labels) to this file")
    parser.add_argument("--sites", choices=["all", "tune", "held-out"], default="all",
                        help="build the set from every site, or from one half of the sites (split by a "
                             "hash of the site's name): choose the threshold on tune, report held-out")
    args = parser.parse_args()
    if not (CORPUS / "extraction").is_dir() or not (CORPUS / "readability").is_dir():
        print(f"error: no corpus at {CORPUS} (extraction/ and readability/ are read from it)", file=sys.stderr)
        return 2
    thresholds = sorted({float(t) for t in args.thresholds.split(",")} | {args.default})
    binary = Path(args.binary)
    if not args.fake and not binary.exists():
        build = subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "newshound"], cwd=ROOT)
        if build.returncode != 0 or not binary.exists():
            print(f"error: no newshound binary at {binary} and cargo build --release failed", file=sys.stderr)
            return 2
    articles, dropped = load_articles()
    if args.sites != "all":
        articles = [a for a in articles if site_half(a.site) == args.sites]
    builder = Builder(args.seed)
    entries = builder.build(articles)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "stories.jsonl"
        write_batch(entries, batch)
        if args.keep:
            write_labelled(entries, args.keep)
        rows, detail = [], None
        for threshold in thresholds:
            lines = fake_story(batch, threshold) if args.fake else newshound_story(binary, batch, threshold)
            assigned = assignments(lines, entries)
            rows.append((threshold, scores(entries, assigned, builder.negatives)))
            if threshold == args.default:
                detail = breakdown(entries, assigned, builder.negatives)
    if args.json:
        json.dump({"clusterer": "fake" if args.fake else "newshound", "seed": args.seed, "sizes": dict(builder.sizes),
                   "entries": len(entries), "table": [dict(similarity=t, **r) for t, r in rows],
                   "default": args.default, "breakdown": detail}, sys.stdout, indent=1)
        print()
        return 0
    print_sizes(builder, dropped, entries)
    print(f"\nclusterer: {'the stand-in (--fake)' if args.fake else binary}, seed {args.seed}")
    print_table(rows)
    print_breakdown(args.default, detail)
    return 0

if __name__ == "__main__":
    sys.exit(main())
