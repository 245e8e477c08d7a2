-- The layout of the first release (issue 2), which set no user_version.
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
