-- A tamper-evident audit trail: each entry carries its place in its company's chain and the hash of
-- itself and of the entry before it; the company row keeps the last place and hash, so that removing
-- the newest entries shows too. Entries written before this migration are chained when Histo opens
-- the database (in the order they were written).
ALTER TABLE audit_entries ADD COLUMN seq BIGINT;
ALTER TABLE audit_entries ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_entries_chain ON audit_entries (company_id, seq);
ALTER TABLE companies ADD COLUMN audit_last_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE companies ADD COLUMN audit_last_hash TEXT;
