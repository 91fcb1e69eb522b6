-- The workshop report streams a plan's values in indicator order, and
-- completeness looks up each expected indicator × period: with the
-- status, the figure and the time of submission in the index, both read
-- the index alone instead of 100,000 rows one by one.
CREATE INDEX indicator_values_cover_idx ON indicator_values (indicator_id, period_id, status, value, submitted_at);
