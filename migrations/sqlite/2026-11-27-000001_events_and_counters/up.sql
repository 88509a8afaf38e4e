-- Histo's first tables. Every key starts with company_id, so that every table can be distributed by
-- company (see docs/scaling.md). Times are microseconds since 1970-01-01 UTC; months are the
-- company-local YYYYMM computed when an event is stored.

CREATE TABLE companies (
    id TEXT PRIMARY KEY NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    retention_months INTEGER NOT NULL DEFAULT 24,
    admin_password_hash TEXT,
    last_purge_at BIGINT,
    last_purge_removed BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sites (
    company_id TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (company_id, code)
);

CREATE TABLE events (
    company_id TEXT NOT NULL,
    id BLOB NOT NULL,
    occurred_at BIGINT NOT NULL,
    month INTEGER NOT NULL,
    feature TEXT NOT NULL,
    outcome TEXT NOT NULL,
    cause TEXT,
    site TEXT NOT NULL,
    user_code TEXT NOT NULL,
    code TEXT,
    detail TEXT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;

-- WITHOUT ROWID (SQLite): rows live in their primary key's b-tree, one b-tree less to write.

-- The entries behind one bar of a chart, newest first.
CREATE INDEX events_by_feature_month ON events (company_id, feature, month, occurred_at, id);

-- Uses per (company, feature, month, site, outcome, cause), kept in the same transaction as the
-- events: statistics read these, never the events. cause is '' when there is none.
CREATE TABLE monthly_counts (
    company_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    month INTEGER NOT NULL,
    site TEXT NOT NULL,
    outcome TEXT NOT NULL,
    cause TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (company_id, feature, month, site, outcome, cause)
) WITHOUT ROWID;
