-- Roll-ups of approved data for the dashboard (SQLite). Keep in step with
-- ../postgres/0007_rollups.sql.
--
-- One row per indicator with an approved value: the latest approved period,
-- the actual there (by the indicator's accumulation), the target of that
-- period and the progress toward it. One row per activity with an approved
-- update: the latest approved update's status, percent and expenditure.
-- models/rollup.go rewrites an indicator's (or an activity's) row in the
-- transaction that approves or reopens one of its reports, or edits it, so
-- that the dashboard reads a few thousand rows instead of every value. The
-- withheld marks an actual of a sensitive indicator that every reader of
-- the dashboard (donors included) sees as "<5" or withheld, by the small-count
-- rules of models/smallcounts.go, which need the separate values. The
-- RAG word is not stored: it depends on the plan's thresholds, and "not due"
-- on today's date, so it is worked out when the dashboard is read. Archived
-- items keep their row (the dashboard filters them), so archiving needs no
-- change here; deleting cascades.

CREATE TABLE indicator_rollups (
    indicator_id INTEGER PRIMARY KEY REFERENCES indicators (id) ON DELETE CASCADE,
    plan_id      INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    period_id    INTEGER NOT NULL REFERENCES reporting_periods (id) ON DELETE CASCADE,
    actual       REAL NOT NULL,
    target       REAL,
    progress     REAL,
    withheld     BOOLEAN NOT NULL DEFAULT 0,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX indicator_rollups_plan_idx ON indicator_rollups (plan_id, progress);

CREATE TABLE activity_rollups (
    activity_id      INTEGER PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    plan_id          INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    period_id        INTEGER NOT NULL REFERENCES reporting_periods (id) ON DELETE CASCADE,
    progress         TEXT NOT NULL,
    percent_complete INTEGER NOT NULL,
    expenditure      NUMERIC NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX activity_rollups_plan_idx ON activity_rollups (plan_id);
