DROP TABLE monthly_totals;
DROP INDEX events_by_user;
DROP INDEX events_by_site;
DROP INDEX events_by_outcome;
DROP INDEX events_by_cause;
CREATE INDEX events_by_feature_month ON events (company_id, feature, month, occurred_at, id);
CREATE INDEX events_by_user ON events (company_id, user_code, feature, month, occurred_at, id);
