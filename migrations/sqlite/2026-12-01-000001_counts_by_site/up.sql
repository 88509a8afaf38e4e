-- The counts of one site over a range of months as one range of an index: a statistic of every
-- site takes the hidden sites' counts off its totals, and reads only theirs through this index,
-- whatever the number of sites and months. count is left out, so that adding to a counter never
-- rewrites this index.
CREATE INDEX monthly_counts_by_site ON monthly_counts (company_id, feature, site, month);
