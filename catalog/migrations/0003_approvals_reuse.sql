-- Approved copies, procedure systems' scopes and the reuse ledger (issue 4).
ALTER TABLE users ADD COLUMN scope TEXT NOT NULL DEFAULT '';
CREATE TABLE approvals (
	code        TEXT PRIMARY KEY,
	document_id TEXT NOT NULL,
	version     INTEGER NOT NULL,
	status      TEXT NOT NULL,
	unit_path   TEXT NOT NULL,
	approval    TEXT NOT NULL,
	UNIQUE (document_id, version)
);
CREATE INDEX approvals_active ON approvals (document_id) WHERE status = 'approved';
CREATE TABLE reuse (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	client     TEXT NOT NULL,
	procedure  TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	document   TEXT NOT NULL,
	version    INTEGER NOT NULL,
	type       TEXT NOT NULL
);
CREATE INDEX reuse_at ON reuse (at);
