-- A catalog as sohoa layout 2 left it: the schema of that release, as shipped, and rows it wrote.
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
CREATE TABLE documents (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	type         TEXT NOT NULL DEFAULT '',
	unit_id      TEXT NOT NULL,
	unit_path    TEXT NOT NULL,
	metadata     TEXT NOT NULL DEFAULT '{}',
	subject_id   TEXT NOT NULL DEFAULT '',
	dup_key      TEXT NOT NULL DEFAULT '',
	duplicate_of TEXT NOT NULL DEFAULT '',
	created_by   TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	error        TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	pages        TEXT NOT NULL
);
CREATE INDEX documents_status ON documents (status, id);
CREATE INDEX documents_unit ON documents (unit_path, id);
CREATE INDEX documents_subject ON documents (subject_id) WHERE subject_id != '';
CREATE INDEX documents_dup ON documents (dup_key) WHERE dup_key != '';
CREATE TABLE jobs (
	document_id TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_after   INTEGER NOT NULL,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_ready ON jobs (state, run_after);
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
INSERT INTO units VALUES ('SGD', 'Sở Giáo dục và Đào tạo', 'so', NULL, '/SGD/', '2026-09-14T02:30:00Z');
INSERT INTO units VALUES ('THA', 'Trường THPT A', 'truong', 'SGD', '/SGD/THA/', '2026-09-14T02:30:00Z');
INSERT INTO users (id, username, full_name, unit_id, role, password_hash, created_at, disabled_at) VALUES ('01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'vt.tha', 'Nguyễn Thị Hoa', 'THA', 'clerk', '$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA', '2026-09-14T02:30:00Z', NULL);
INSERT INTO tokens VALUES ('dea12a359e99b9ee6a1549d1a3b38d8d90db60c2f99bbb0b5b5282c44ffdb571', '01M2EVZZ20J9BAQ382BC4VX84B', '01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'máy quét', 'api', '2026-09-14T02:30:00Z', NULL, NULL);
INSERT INTO documents VALUES ('01M2EVZZ20TDF9D5V3VEJ7QHAN', 'Bằng tốt nghiệp THPT', 'van_bang', 'THA', '/SGD/THA/', '{"ho_ten":"Lê Quang Tuấn","ngay_sinh":"2004-03-15","so_hieu":"B 0174420","so_vao_so":"0415/THPT/2022","nam_tot_nghiep":"2022"}', '', 'van_bang|0415/THPT/2022|2022', '', '01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'ready', '', '2026-09-14T02:30:00Z', '2026-09-14T02:30:00Z', '[{"number":1,"sha256":"4d2c","content_type":"image/png","width":2480,"height":3508,"dpi":300,"ocr_confidence":91.5,"source":"4d2c","frame":0}]');
INSERT INTO audit VALUES (1, '2026-09-14T02:31:00Z', '01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'vt.tha', 'THA', 'document.read', '01M2EVZZ20TDF9D5V3VEJ7QHAN', '', '127.0.0.1', '', '', 'cd32bc26fa7f0797f3185493fe178f5ed8a18b06254162667926dbe57ef4dfbc');
INSERT INTO audit VALUES (2, '2026-09-14T02:32:00Z', '01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'vt.tha', 'THA', 'document.read', '01M2EVZZ20TDF9D5V3VEJ7QHAN', '', '127.0.0.1', '', 'cd32bc26fa7f0797f3185493fe178f5ed8a18b06254162667926dbe57ef4dfbc', '66cebbb74a8b1772b03b29575625f6cb8fe9d7d380de93e0eb6461588209d8ec');
INSERT INTO audit VALUES (3, '2026-09-14T02:33:00Z', '01M2EVZZ20VJE5RVS1MZ1ZBZB2', 'vt.tha', 'THA', 'document.read', '01M2EVZZ20TDF9D5V3VEJ7QHAN', '', '127.0.0.1', '', '66cebbb74a8b1772b03b29575625f6cb8fe9d7d380de93e0eb6461588209d8ec', '3d0e2a8d8c6fb9cde1f906e271d030bb8a427d14f100475834605b256b26bac6');
INSERT INTO meta VALUES ('audit_sealed_seq', '3');
