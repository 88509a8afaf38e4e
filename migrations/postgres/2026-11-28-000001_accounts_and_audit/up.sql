-- Accounts for signing in without the host application, and the audit trail of administration.
-- Every key starts with company_id, like the first tables.

-- A person of a company who signs in with a password (POST /api/v1/auth/token): an Argon2 hash
-- (PHC string) and the scopes their tokens carry (space-separated).
CREATE TABLE accounts (
    company_id TEXT NOT NULL,
    user_code TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, user_code)
);

-- Who changed what, when: retention changes, purges, sites hidden, shown or renamed, admin password
-- changes. Written once, never changed or removed (the purge leaves it alone). at is microseconds
-- since 1970-01-01 UTC; id (a UUIDv7) tells apart entries of the same microsecond; before_state and
-- after_state are JSON text.
CREATE TABLE audit_entries (
    company_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    id BYTEA NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    PRIMARY KEY (company_id, at, id)
);
