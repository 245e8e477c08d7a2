-- A document row remembers the manifest revision it shows, so that a
-- slower writer never puts an older revision over a newer one; the reuse
-- ledger is made of audit entries (which the store keeps) and points to
-- its entry.
ALTER TABLE documents ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit ADD COLUMN reuse TEXT NOT NULL DEFAULT '';
ALTER TABLE reuse ADD COLUMN audit_seq INTEGER;
CREATE UNIQUE INDEX reuse_audit ON reuse (audit_seq) WHERE audit_seq IS NOT NULL;
