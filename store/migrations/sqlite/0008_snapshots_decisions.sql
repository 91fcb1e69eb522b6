-- Review snapshots and workshop decisions (SQLite).
-- Keep in step with ../postgres/0008_snapshots_decisions.sql.
--
-- A review snapshot freezes the approved data of a period range under a
-- name, so that the slides and the Excel report shown at a workshop can be
-- produced again, exactly, after the live data has changed. The copied rows
-- carry no foreign key to the live tables on purpose: a snapshot outlives
-- any later edit or deletion of what it copied.

CREATE TABLE review_snapshots (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    from_period_id  INTEGER NOT NULL REFERENCES reporting_periods (id),
    to_period_id    INTEGER NOT NULL REFERENCES reporting_periods (id),
    created_by_id   INTEGER REFERENCES users (id),
    created_at      DATETIME NOT NULL,
    tree_json       TEXT NOT NULL,
    targets_json    TEXT NOT NULL,
    compliance_json TEXT NOT NULL,
    slides_json     TEXT NOT NULL
);
CREATE UNIQUE INDEX review_snapshots_plan_name_key ON review_snapshots (plan_id, lower(name));

CREATE TABLE snapshot_values (
    snapshot_id  INTEGER NOT NULL REFERENCES review_snapshots (id) ON DELETE CASCADE,
    value_id     INTEGER NOT NULL,
    indicator_id INTEGER NOT NULL,
    period_id    INTEGER NOT NULL,
    value        REAL,
    text_value   TEXT NOT NULL DEFAULT '',
    narrative    TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    approved_at  DATETIME,
    PRIMARY KEY (snapshot_id, value_id)
);
CREATE INDEX snapshot_values_indicator_idx ON snapshot_values (snapshot_id, indicator_id, period_id);

CREATE TABLE snapshot_breakdowns (
    snapshot_id INTEGER NOT NULL REFERENCES review_snapshots (id) ON DELETE CASCADE,
    value_id    INTEGER NOT NULL,
    cell        TEXT NOT NULL,
    value       REAL NOT NULL,
    PRIMARY KEY (snapshot_id, value_id, cell)
);

CREATE TABLE snapshot_updates (
    snapshot_id      INTEGER NOT NULL REFERENCES review_snapshots (id) ON DELETE CASCADE,
    update_id        INTEGER NOT NULL,
    activity_id      INTEGER NOT NULL,
    period_id        INTEGER NOT NULL,
    progress         TEXT NOT NULL,
    percent_complete INTEGER NOT NULL DEFAULT 0,
    achievements     TEXT NOT NULL DEFAULT '',
    challenges       TEXT NOT NULL DEFAULT '',
    next_steps       TEXT NOT NULL DEFAULT '',
    expenditure      NUMERIC NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    approved_at      DATETIME,
    PRIMARY KEY (snapshot_id, update_id)
);
CREATE INDEX snapshot_updates_activity_idx ON snapshot_updates (snapshot_id, activity_id, period_id);

-- A decision or follow-up action recorded during a review workshop,
-- attached to the plan, a pillar or an activity.
CREATE TABLE workshop_decisions (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    pillar_id       INTEGER REFERENCES pillars (id),
    activity_id     INTEGER REFERENCES activities (id),
    snapshot_id     INTEGER REFERENCES review_snapshots (id),
    organisation_id INTEGER REFERENCES organisations (id),
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    due_date        DATE,
    status          TEXT NOT NULL CHECK (status IN ('open','done')),
    created_by_id   INTEGER REFERENCES users (id),
    created_at      DATETIME NOT NULL,
    done_at         DATETIME,
    done_by_id      INTEGER REFERENCES users (id),
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      DATETIME NOT NULL,
    CHECK (pillar_id IS NULL OR activity_id IS NULL),
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX workshop_decisions_plan_idx ON workshop_decisions (plan_id, status, created_at);
CREATE INDEX workshop_decisions_org_idx ON workshop_decisions (organisation_id);
CREATE INDEX workshop_decisions_snapshot_idx ON workshop_decisions (snapshot_id);
