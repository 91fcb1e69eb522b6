-- Roll-ups of indicator figures per period (PostgreSQL). Keep in step with
-- ../sqlite/0010_period_rollups.sql.
--
-- The dashboard rates every indicator at the same period as the pages, the
-- slides and the workbook (figures.RatedPeriod), so the roll-up keeps the
-- figures of every period that has an approved value, as figures.Assess
-- works them out for the external audience (the dashboard is shown to
-- donors): the actual (NULL when hidden: small marks a "<5", withheld a
-- figure that would reveal one), the period's target and the progress.
-- The rating word is decided when read (figures.Word), since it depends on
-- the plan's thresholds and, for "not due", on today's date. The rows are
-- a cache: `naptracker rollups rebuild` recomputes them, and the migration
-- runner rebuilds them right after this file.

DROP TABLE indicator_rollups;

CREATE TABLE indicator_rollups (
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period_id    BIGINT NOT NULL REFERENCES reporting_periods (id) ON DELETE CASCADE,
    plan_id      BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    actual       DOUBLE PRECISION,
    small        BOOLEAN NOT NULL DEFAULT false,
    withheld     BOOLEAN NOT NULL DEFAULT false,
    target       DOUBLE PRECISION,
    progress     DOUBLE PRECISION,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (indicator_id, period_id)
);
CREATE INDEX indicator_rollups_period_idx ON indicator_rollups (period_id, progress);
CREATE INDEX indicator_rollups_plan_idx ON indicator_rollups (plan_id);
