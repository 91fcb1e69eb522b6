-- Completeness and timeliness roll-ups, and each plan's data version (SQLite).
-- Keep in step with ../postgres/0012_completeness_rollups.sql.
--
-- completeness_rollups counts, per period, organisation and kind of item
-- (an indicator value or an activity update), what models.Completeness
-- counts over the values and updates: the items expected, handed in, handed
-- in on time, submitted, returned and approved. Missing and not due are
-- worked out when read, since they depend on today's date. The rows are
-- kept in the transactions that change the values, updates, indicators,
-- activities and periods; `naptracker rollups rebuild` recomputes them, and
-- the migration runner builds them right after this file.
--
-- plans.data_version goes up in the transaction of every change a page of
-- the plan may show (models.Audit), so a page can answer a repeated request
-- with 304 Not Modified without reading anything else.

CREATE TABLE completeness_rollups (
    period_id       INTEGER NOT NULL REFERENCES reporting_periods (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('value','update')),
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    expected        INTEGER NOT NULL DEFAULT 0,
    handed_in       INTEGER NOT NULL DEFAULT 0,
    on_time         INTEGER NOT NULL DEFAULT 0,
    submitted       INTEGER NOT NULL DEFAULT 0,
    returned        INTEGER NOT NULL DEFAULT 0,
    approved        INTEGER NOT NULL DEFAULT 0,
    updated_at      DATETIME NOT NULL,
    PRIMARY KEY (period_id, organisation_id, kind)
);
CREATE INDEX completeness_rollups_plan_idx ON completeness_rollups (plan_id, organisation_id);

ALTER TABLE plans ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;

