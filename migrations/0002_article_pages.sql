-- Article pages: the main text extracted from each entry's page, where it
-- came from, and why the feed's own content stood in when it did.
ALTER TABLE entries ADD COLUMN body TEXT;
-- 'page' (general extractor), 'selector' (the feed's extract rule) or 'feed'.
ALTER TABLE entries ADD COLUMN body_source TEXT;
-- Why the page was not used: skipped, refused, failed or nearly empty.
ALTER TABLE entries ADD COLUMN body_note TEXT;
