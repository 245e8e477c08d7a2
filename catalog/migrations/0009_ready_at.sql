-- When each document was first read whole, for the monthly report's time
-- from upload to ready and from ready to approval. Rows of documents read
-- before this layout get it from their manifest at the next rebuild; until
-- then the report counts them as of unknown time.
ALTER TABLE documents ADD COLUMN ready_at TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_created ON documents (created_at);
