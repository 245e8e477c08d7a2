-- What the web page needs: how many pages of a document being read are
-- read, when a login session was last used (idle expiry), and the failed
-- logins of a username or an address (throttling, lockout).
ALTER TABLE jobs ADD COLUMN pages_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
CREATE TABLE login_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	first_at     TEXT NOT NULL,
	locked_until TEXT
);
CREATE INDEX login_failures_first ON login_failures (first_at);
