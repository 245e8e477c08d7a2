-- A catalog as sohoa layout 1 left it: the schema of that release, as shipped, and rows it wrote.
CREATE TABLE documents (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	status     TEXT NOT NULL,
	error      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	pages      TEXT NOT NULL
);
CREATE INDEX documents_status ON documents (status, id);
CREATE TABLE jobs (
	document_id TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_after   INTEGER NOT NULL,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_ready ON jobs (state, run_after);
CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked_at TEXT
);
INSERT INTO documents VALUES ('01M2EVZZ20TDF9D5V3VEJ7QHAN', 'Bằng tốt nghiệp THPT', 'ready', '', '2026-09-14T02:30:00Z', '2026-09-14T02:30:00Z', '[{"number":1,"sha256":"4d2c","content_type":"image/png","width":2480,"height":3508,"dpi":300,"ocr_confidence":91.5,"source":"4d2c","frame":0}]');
INSERT INTO jobs VALUES ('01M2EW0018XAZ2TGEA3K6CB5VV', 'queued', 1, 0, '');
INSERT INTO tokens VALUES ('eb76e180ecad41b2d09c77775dceef62131e8f0fca818147da7afe22f9ad3e41', 'admin', 'admin', '2026-09-14T02:30:00Z', NULL);
