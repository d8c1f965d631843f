-- Stories: an entry's story is the first entry of it that was stored. A
-- copy joins it by canonical link or, under another URL, by its text's
-- sketch; the sketches of the story window are kept to find copies.
ALTER TABLE entries ADD COLUMN story_id INTEGER;
-- Until now a story was the entries sharing a canonical link.
UPDATE entries SET story_id = COALESCE(
    (SELECT MIN(o.id) FROM entries o WHERE o.canonical_link = entries.canonical_link),
    id);
CREATE INDEX entries_story ON entries(story_id);

CREATE TABLE story_sketches (
    entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    -- When the entry was matched: the story window counts from here.
    at       INTEGER NOT NULL,
    -- The distinct shingle hashes, sorted, and the MinHash signature:
    -- 32-bit little-endian values.
    shingles BLOB NOT NULL,
    minhash  BLOB NOT NULL,
    -- The share of its shingles the best earlier candidate held, whether
    -- or not that made it a copy: what `story_similarity` is tuned by.
    best_share REAL
) STRICT;
CREATE INDEX story_sketches_at ON story_sketches(at);

-- The LSH band keys of each kept sketch: an entry sharing one with a new
-- entry is a candidate copy.
CREATE TABLE story_bands (
    band     INTEGER NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES story_sketches(entry_id) ON DELETE CASCADE,
    PRIMARY KEY (band, entry_id)
) STRICT, WITHOUT ROWID;
