-- Trends, feed volume and surge alerts.
--
-- The web pages chart matches per rule and items per feed over weeks; with
-- a million entries a count over `matches` or `entries` per page would be a
-- scan. These summary tables are kept by triggers, in the same transaction
-- as the rows they count, so they are never behind and a crash cannot
-- leave them half-updated.

-- Matches per rule and clock hour (hour = matched_at / 3600).
CREATE TABLE match_counts (
    rule  TEXT NOT NULL,
    hour  INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (rule, hour)
) STRICT, WITHOUT ROWID;

INSERT INTO match_counts (rule, hour, n)
SELECT rule, matched_at / 3600, COUNT(*) FROM matches GROUP BY rule, matched_at / 3600;

CREATE TRIGGER match_counted AFTER INSERT ON matches BEGIN
    INSERT INTO match_counts (rule, hour, n) VALUES (NEW.rule, NEW.matched_at / 3600, 1)
    ON CONFLICT (rule, hour) DO UPDATE SET n = n + 1;
END;

-- New items per feed and UTC day (day = seen_at / 86400).
CREATE TABLE feed_counts (
    feed  TEXT NOT NULL,
    day   INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (feed, day)
) STRICT, WITHOUT ROWID;

INSERT INTO feed_counts (feed, day, n)
SELECT feed, seen_at / 86400, COUNT(*) FROM entries GROUP BY feed, seen_at / 86400;

CREATE TRIGGER entry_counted AFTER INSERT ON entries BEGIN
    INSERT INTO feed_counts (feed, day, n) VALUES (NEW.feed, NEW.seen_at / 86400, 1)
    ON CONFLICT (feed, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entry_feed_renamed AFTER UPDATE OF feed ON entries BEGIN
    UPDATE feed_counts SET n = n - 1 WHERE feed = OLD.feed AND day = OLD.seen_at / 86400;
    INSERT INTO feed_counts (feed, day, n) VALUES (NEW.feed, NEW.seen_at / 86400, 1)
    ON CONFLICT (feed, day) DO UPDATE SET n = n + 1;
END;

-- A rule's matches surged: one row per alert, which its mails are sent for.
CREATE TABLE surges (
    id        INTEGER PRIMARY KEY,
    rule      TEXT NOT NULL,
    fired_at  INTEGER NOT NULL,
    -- The rule's surge settings when it fired: window and baseline in
    -- seconds, the factor and the least number of matches asked for.
    window_secs   INTEGER NOT NULL,
    baseline_secs INTEGER NOT NULL,
    factor        REAL NOT NULL,
    min_matches   INTEGER NOT NULL,
    -- Matches in the window, and the baseline's matches per window.
    matches   INTEGER NOT NULL,
    usual     REAL NOT NULL
) STRICT;

CREATE INDEX surges_rule_time ON surges(rule, fired_at);

-- A delivery carries one entry's alert, one digest run or one surge alert.
CREATE TABLE deliveries_new (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER REFERENCES entries(id),
    digest_run      INTEGER REFERENCES digest_runs(id),
    surge           INTEGER REFERENCES surges(id),
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
    CHECK ((entry_id IS NOT NULL) + (digest_run IS NOT NULL) + (surge IS NOT NULL) = 1)
) STRICT;

INSERT INTO deliveries_new (id, entry_id, digest_run, channel, recipient, rules, message_id, state,
                            attempts, last_error, created_at, last_attempt_at, sent_at,
                            next_attempt_at)
SELECT id, entry_id, digest_run, channel, recipient, rules, message_id, state, attempts,
       last_error, created_at, last_attempt_at, sent_at, next_attempt_at
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries(created_at) WHERE state = 'pending';
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_entry ON deliveries(entry_id);
-- The outbox page lists what has not gone out, newest first.
CREATE INDEX deliveries_state ON deliveries(state, created_at);
-- The stories page lists the newest matches.
CREATE INDEX matches_time ON matches(matched_at);
