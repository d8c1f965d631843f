-- The language each entry was matched in (ISO 639-1), so that search and
-- backtests see its words as its rules did. The index now holds stems in
-- that language: every entry is indexed again, in batches.
ALTER TABLE entries ADD COLUMN language TEXT;
UPDATE entries SET indexed = 0 WHERE pruned_at IS NULL;
