DROP INDEX monthly_counts_by_site;
