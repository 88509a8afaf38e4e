-- Alerts: a company's rules ("at least N errors within M minutes", "an error share above P % over
-- the last K uses", for a feature at one site or all), each firing and recovery, the webhooks that
-- tell the host application, and the monthly digest.
CREATE TABLE alert_rules (
    company_id TEXT NOT NULL,
    id BYTEA NOT NULL,
    feature TEXT NOT NULL,
    -- NULL: the uses of every site.
    site TEXT,
    -- 'errors' (threshold errors within window_size minutes) or 'error_share' (more than threshold
    -- percent errors among the last window_size uses).
    condition TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    window_size INTEGER NOT NULL,
    webhook_url TEXT NOT NULL,
    -- The key of the webhooks' HMAC signature, shown once when the rule is made.
    secret TEXT NOT NULL,
    firing BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, id)
);

-- Each time a rule started or stopped holding, with the counts of its window then. The rule's
-- feature and site are copied so that the list reads the same once the rule is removed.
CREATE TABLE alert_events (
    company_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    id BYTEA NOT NULL,
    rule_id BYTEA NOT NULL,
    feature TEXT NOT NULL,
    site TEXT,
    condition TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    window_size INTEGER NOT NULL,
    -- 'firing' or 'recovered'.
    state TEXT NOT NULL,
    uses BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    delivery_id BYTEA,
    PRIMARY KEY (company_id, at, id)
);

-- Webhooks to send, sent, or given up after a day of failures. The body is signed when queued.
CREATE TABLE webhook_deliveries (
    id BYTEA NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL,
    -- 'alert.firing', 'alert.recovered' or 'digest'.
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- 'pending', 'delivered' or 'failed'.
    state TEXT NOT NULL,
    last_error TEXT,
    finished_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_company ON webhook_deliveries (company_id, state);

-- The monthly digest of a company: where it goes, and the last month it was queued for.
CREATE TABLE alert_digests (
    company_id TEXT NOT NULL PRIMARY KEY,
    webhook_url TEXT NOT NULL,
    secret TEXT NOT NULL,
    last_month INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
