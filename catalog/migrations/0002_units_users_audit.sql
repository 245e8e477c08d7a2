-- Units, users, their tokens, records with a type, metadata and unit, and
-- the audit log (issue 3). Tokens of the first release had a role and no
-- user: they cannot be carried over, and a new admin token is made on the
-- next start.
CREATE TABLE units (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	parent_id  TEXT REFERENCES units (id),
	path       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	full_name     TEXT NOT NULL,
	unit_id       TEXT NOT NULL REFERENCES units (id),
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	disabled_at   TEXT
);
DROP TABLE tokens;
CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	user_id    TEXT NOT NULL REFERENCES users (id),
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
);
ALTER TABLE documents ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN unit_id TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN unit_path TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN subject_id TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN dup_key TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN duplicate_of TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_unit ON documents (unit_path, id);
CREATE INDEX documents_subject ON documents (subject_id) WHERE subject_id != '';
CREATE INDEX documents_dup ON documents (dup_key) WHERE dup_key != '';
CREATE TABLE audit (
	seq      INTEGER PRIMARY KEY,
	at       TEXT NOT NULL,
	user_id  TEXT NOT NULL,
	username TEXT NOT NULL,
	unit_id  TEXT NOT NULL,
	action   TEXT NOT NULL,
	document TEXT NOT NULL DEFAULT '',
	purpose  TEXT NOT NULL DEFAULT '',
	client   TEXT NOT NULL DEFAULT '',
	detail   TEXT NOT NULL DEFAULT '',
	prev     TEXT NOT NULL,
	hash     TEXT NOT NULL
);
CREATE INDEX audit_document ON audit (document, seq) WHERE document != '';
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
