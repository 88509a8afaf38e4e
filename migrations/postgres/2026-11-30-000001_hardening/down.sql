DROP INDEX sites_hidden;
ALTER TABLE companies DROP COLUMN retained_from;
ALTER TABLE accounts DROP COLUMN password_changed_at;
