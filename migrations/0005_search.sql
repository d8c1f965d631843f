-- Full-text search and retention.
--
-- The index holds each entry's title, summary and text (the page's, once
-- read) as the canonical words rules match on, one space apart; see
-- src/search.rs. It is contentless: the text lives in `entries`, and rows
-- can be deleted by id.
CREATE VIRTUAL TABLE search USING fts5(
    title, summary, body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- 0 while the entry's current text is not in the index: new entries, and
-- entries whose text changed or was pruned. The indexer works through
-- them in batches, off the polling path.
ALTER TABLE entries ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX entries_unindexed ON entries(id) WHERE indexed = 0;

-- When retention emptied the entry's text; its identity stays, so the item
-- is never new (nor alerted) again.
ALTER TABLE entries ADD COLUMN pruned_at INTEGER;
CREATE INDEX entries_prunable ON entries(seen_at) WHERE pruned_at IS NULL;
