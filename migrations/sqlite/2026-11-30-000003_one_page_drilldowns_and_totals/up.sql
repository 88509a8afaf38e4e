-- Every drill-down costs one page, whatever the size of its month and however rare its filter: an
-- index per filter, each starting with the company, the feature and the month, then the filtered
-- column, so that the newest entries of a month with that value are a range read in order. Without
-- a filter, the pages of the feature's few outcome ranges are merged.
DROP INDEX events_by_user;
DROP INDEX events_by_feature_month;
CREATE INDEX events_by_outcome ON events (company_id, feature, month, outcome, occurred_at, id);
CREATE INDEX events_by_cause ON events (company_id, feature, month, cause, occurred_at, id);
CREATE INDEX events_by_site ON events (company_id, feature, month, site, occurred_at, id);
CREATE INDEX events_by_user ON events (company_id, feature, month, user_code, occurred_at, id);

-- The monthly counts of all sites together, kept in the same transaction as monthly_counts: a
-- statistic of every site reads these, whatever the number of sites (those of hidden sites are
-- taken off from monthly_counts). cause is '' when there is none.
CREATE TABLE monthly_totals (
    company_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    month INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    cause TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (company_id, feature, month, outcome, cause)
) WITHOUT ROWID;

INSERT INTO monthly_totals (company_id, feature, month, outcome, cause, count)
SELECT company_id, feature, month, outcome, cause, SUM(count)
FROM monthly_counts
GROUP BY company_id, feature, month, outcome, cause;
