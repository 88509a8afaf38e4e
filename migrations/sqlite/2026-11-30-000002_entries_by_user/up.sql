-- The entries of one user: the drill-down filtered by user code, and the right to erasure (every
-- entry of a user code), each a range of this index.
CREATE INDEX events_by_user ON events (company_id, user_code, feature, month, occurred_at, id);
