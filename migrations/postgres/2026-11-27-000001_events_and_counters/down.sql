DROP TABLE monthly_counts;
DROP TABLE events;
DROP TABLE sites;
DROP TABLE companies;
