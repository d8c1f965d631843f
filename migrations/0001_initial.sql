-- The first schema: feeds, their entries, the matches rules found in them
-- and the outbox of deliveries those matches caused.
-- Times are Unix seconds (UTC).

-- Only takes effect before the first table exists; it cannot be switched on
-- later without a full VACUUM.
PRAGMA auto_vacuum = INCREMENTAL;

CREATE TABLE feeds (
    name               TEXT PRIMARY KEY,
    -- The URL as configured; a changed config URL resets what follows.
    url                TEXT NOT NULL,
    -- Where the feed moved to after the same permanent redirect was seen
    -- three times in a row; NULL while it has not moved.
    moved_to           TEXT,
    -- The permanent redirect seen on the last polls, and how many in a row.
    redirect_target    TEXT,
    redirect_count     INTEGER NOT NULL DEFAULT 0,
    -- Set when the server said 410 Gone; a person's `poll --feed` retries.
    disabled_at        INTEGER,
    disabled_reason    TEXT,
    etag               TEXT,
    last_modified      TEXT,
    first_polled_at    INTEGER,
    last_polled_at     INTEGER,
    last_success_at    INTEGER,
    last_error_class   TEXT,
    last_error_message TEXT,
    last_error_at      INTEGER,
    error_count        INTEGER NOT NULL DEFAULT 0,
    -- Something mended in the last successful poll (invalid bytes replaced).
    last_warning       TEXT,
    next_poll_at       INTEGER
) STRICT;

CREATE TABLE entries (
    id             INTEGER PRIMARY KEY,
    feed           TEXT NOT NULL REFERENCES feeds(name) ON UPDATE CASCADE,
    identity       TEXT NOT NULL,
    title          TEXT NOT NULL,
    link           TEXT,
    canonical_link TEXT,
    author         TEXT,
    published_at   INTEGER,
    summary        TEXT NOT NULL,
    content        TEXT NOT NULL,
    -- Hash of title, summary and content: a change re-matches the entry.
    content_hash   TEXT NOT NULL,
    seen_at        INTEGER NOT NULL,
    -- Set once the entry's matches and deliveries are committed.
    processed_at   INTEGER,
    UNIQUE (feed, identity)
) STRICT;

CREATE INDEX entries_unprocessed ON entries(feed) WHERE processed_at IS NULL;
CREATE INDEX entries_canonical_link ON entries(canonical_link);
CREATE INDEX entries_feed_published ON entries(feed, published_at);

CREATE TABLE matches (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    rule       TEXT NOT NULL,
    -- JSON array of the query terms that hit, as written.
    terms      TEXT NOT NULL,
    snippet    TEXT NOT NULL,
    matched_at INTEGER NOT NULL,
    UNIQUE (entry_id, rule)
) STRICT;

CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES entries(id),
    channel      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    -- JSON array of the rule names this one mail stands for.
    rules        TEXT NOT NULL,
    message_id   TEXT NOT NULL UNIQUE,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    last_attempt_at INTEGER,
    sent_at      INTEGER
) STRICT;
-- One mail per entry and recipient for the rules that first matched it;
-- when an updated entry newly matches other rules, another mail names
-- those. The Message-ID derives from all four, so a repeat is refused.

CREATE INDEX deliveries_pending ON deliveries(created_at) WHERE state = 'pending';
