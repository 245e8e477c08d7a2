-- The uploaded files each document holds, by SHA-256: an import run
-- again asks for them, and skips what the service already has.
CREATE TABLE originals (
	sha256      TEXT NOT NULL,
	document_id TEXT NOT NULL,
	PRIMARY KEY (sha256, document_id)
);
INSERT OR IGNORE INTO originals (sha256, document_id)
	SELECT json_extract(p.value, '$.source'), d.id FROM documents d, json_each(d.pages) p
	WHERE json_extract(p.value, '$.source') != '';
