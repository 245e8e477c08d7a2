-- What was read off a document's pages for the clerk to confirm: its
-- fields and, for one uploaded without, its type (JSON, as the manifest
-- keeps them).
ALTER TABLE documents ADD COLUMN proposed TEXT NOT NULL DEFAULT '{}';
