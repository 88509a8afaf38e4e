-- Hardening: sign-ins that end when their account's password changes, the oldest month whose
-- entries are kept, and hidden sites found without reading every site of a company.

-- When the account's password was last set (microseconds since 1970-01-01 UTC): tokens of its
-- sign-ins issued before then are refused.
ALTER TABLE accounts ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET password_changed_at = created_at;

-- The oldest month (YYYYMM, company-local) whose entries are all kept: set by the purge before it
-- removes a month, so that an event of a purged month is never stored (nor counted) again, even
-- after the retention period was lengthened. NULL until a purge removed a month.
ALTER TABLE companies ADD COLUMN retained_from INTEGER;

-- Every read leaves out the company's hidden sites.
CREATE INDEX sites_hidden ON sites (company_id, hidden, code);
