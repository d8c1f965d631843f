-- Digests and storm control.
--
-- A digest is keyed `digest:NAME` for a configured [[digest]], or
-- `overflow:RULE` for the hourly "more matches" mail of a rule past its
-- max_immediate_per_hour that names no digest.

-- How far each digest's schedule has been handled: slots up to done_until
-- were sent (or were empty). A daemon that was down sends one digest for
-- all the slots it missed, then goes on from now.
CREATE TABLE digests (
    key        TEXT PRIMARY KEY,
    done_until INTEGER NOT NULL
) STRICT;

-- One digest mail's contents, fixed when its slot came: it is never rebuilt.
CREATE TABLE digest_runs (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL,
    -- The scheduled time this run stands for (or when `digest --now` ran).
    slot_at  INTEGER NOT NULL,
    built_at INTEGER NOT NULL,
    items    INTEGER NOT NULL,
    -- The IANA zone the mail shows its times in.
    timezone TEXT NOT NULL
) STRICT;

-- A match waiting for its digest (run_id NULL) or held by the run that
-- carried it. A match is in at most one run per digest.
CREATE TABLE digest_items (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    match_id   INTEGER NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    run_id     INTEGER REFERENCES digest_runs(id),
    created_at INTEGER NOT NULL,
    UNIQUE (key, match_id)
) STRICT;

CREATE INDEX digest_items_pending ON digest_items(key) WHERE run_id IS NULL;
CREATE INDEX digest_items_run ON digest_items(run_id);
CREATE INDEX digest_items_match ON digest_items(match_id);

-- 1 when the match was queued for immediate mail: storm control counts
-- these per rule and clock hour.
ALTER TABLE matches ADD COLUMN immediate INTEGER NOT NULL DEFAULT 0;
CREATE INDEX matches_rule_time ON matches(rule, matched_at);

-- A delivery is now an alert about one entry, or one digest mail: the
-- table is rebuilt because SQLite cannot drop a NOT NULL constraint.
CREATE TABLE deliveries_new (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER REFERENCES entries(id),
    digest_run      INTEGER REFERENCES digest_runs(id),
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    rules           TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER,
    sent_at         INTEGER,
    next_attempt_at INTEGER,
    CHECK ((entry_id IS NULL) != (digest_run IS NULL))
) STRICT;

INSERT INTO deliveries_new (id, entry_id, channel, recipient, rules, message_id, state, attempts,
                            last_error, created_at, last_attempt_at, sent_at, next_attempt_at)
SELECT id, entry_id, channel, recipient, rules, message_id, state, attempts,
       last_error, created_at, last_attempt_at, sent_at, next_attempt_at
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries(created_at) WHERE state = 'pending';
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_entry ON deliveries(entry_id);
