ALTER TABLE companies DROP COLUMN audit_last_hash;
ALTER TABLE companies DROP COLUMN audit_last_seq;
DROP INDEX audit_entries_chain;
ALTER TABLE audit_entries DROP COLUMN hash;
ALTER TABLE audit_entries DROP COLUMN seq;
