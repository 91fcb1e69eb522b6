-- The whole domain model of NAP Tracker (SQLite).
-- Keep in step with ../postgres/0001_domain.sql: same tables, columns and constraints.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    acronym     TEXT NOT NULL CHECK (length(acronym) BETWEEN 1 AND 32),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    type        TEXT NOT NULL CHECK (type IN ('ministry','agency','cso','partner','international')),
    archived_at DATETIME,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX organisations_acronym_key ON organisations (lower(acronym));

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    start_year      INTEGER NOT NULL,
    end_year        INTEGER NOT NULL,
    frequency       TEXT NOT NULL CHECK (frequency IN ('quarterly','half_yearly','yearly')),
    tier1_label     TEXT NOT NULL DEFAULT 'Pillar',
    tier2_label     TEXT NOT NULL DEFAULT 'Objective',
    tier3_label     TEXT NOT NULL DEFAULT 'Activity',
    green_threshold REAL NOT NULL DEFAULT 0.85,
    red_threshold   REAL NOT NULL DEFAULT 0.5,
    language        TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en','fr','lo')),
    currency        TEXT NOT NULL DEFAULT 'USD',
    demo            BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at     DATETIME,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK (end_year >= start_year),
    CHECK (red_threshold > 0 AND red_threshold < green_threshold AND green_threshold <= 1.5)
);
CREATE UNIQUE INDEX plans_code_key ON plans (code);

CREATE TABLE pillars (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    archived_at DATETIME,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX pillars_plan_code_key ON pillars (plan_id, code);

CREATE TABLE objectives (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id),
    pillar_id   INTEGER NOT NULL REFERENCES pillars (id),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    archived_at DATETIME,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX objectives_plan_code_key ON objectives (plan_id, code);
CREATE INDEX objectives_pillar_idx ON objectives (pillar_id);

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id),
    objective_id INTEGER NOT NULL REFERENCES objectives (id),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT NOT NULL DEFAULT '',
    start_date  DATE NOT NULL,
    end_date    DATE NOT NULL,
    lead_org_id INTEGER NOT NULL REFERENCES organisations (id),
    budget      NUMERIC NOT NULL DEFAULT 0 CHECK (budget >= 0),
    currency    TEXT NOT NULL DEFAULT 'USD',
    position    INTEGER NOT NULL DEFAULT 0,
    archived_at DATETIME,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE UNIQUE INDEX activities_plan_code_key ON activities (plan_id, code);
CREATE INDEX activities_objective_idx ON activities (objective_id);
CREATE INDEX activities_lead_idx ON activities (lead_org_id);

CREATE TABLE activity_supporters (
    activity_id     INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (activity_id, organisation_id)
);
CREATE INDEX activity_supporters_org_idx ON activity_supporters (organisation_id);

CREATE TABLE funding_lines (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    funder_id   INTEGER NOT NULL REFERENCES organisations (id),
    amount      NUMERIC NOT NULL CHECK (amount >= 0),
    currency    TEXT NOT NULL DEFAULT 'USD',
    status      TEXT NOT NULL CHECK (status IN ('pledged','committed','disbursed')),
    note        TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX funding_lines_activity_idx ON funding_lines (activity_id);
CREATE INDEX funding_lines_funder_idx ON funding_lines (funder_id);

CREATE TABLE disaggregation_sets (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    name       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX disaggregation_sets_code_key ON disaggregation_sets (code);

CREATE TABLE disaggregation_dimensions (
    id       INTEGER PRIMARY KEY,
    set_id   INTEGER NOT NULL REFERENCES disaggregation_sets (id) ON DELETE CASCADE,
    code     TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    name     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX disaggregation_dimensions_key ON disaggregation_dimensions (set_id, code);

CREATE TABLE disaggregation_categories (
    id           INTEGER PRIMARY KEY,
    dimension_id INTEGER NOT NULL REFERENCES disaggregation_dimensions (id) ON DELETE CASCADE,
    code         TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    label        TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX disaggregation_categories_key ON disaggregation_categories (dimension_id, code);

CREATE TABLE indicators (
    id                    INTEGER PRIMARY KEY,
    plan_id               INTEGER NOT NULL REFERENCES plans (id),
    objective_id          INTEGER REFERENCES objectives (id),
    activity_id           INTEGER REFERENCES activities (id),
    code                  TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    name                  TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    definition            TEXT NOT NULL DEFAULT '',
    unit_type             TEXT NOT NULL CHECK (unit_type IN ('number','percentage','yes_no','milestone')),
    unit_label            TEXT NOT NULL DEFAULT '',
    direction             TEXT NOT NULL CHECK (direction IN ('increase','decrease','maintain')),
    accumulation          TEXT NOT NULL CHECK (accumulation IN ('sum','cumulative','latest')),
    baseline_value        REAL,
    baseline_year         INTEGER,
    end_target            REAL,
    means_of_verification TEXT NOT NULL DEFAULT '',
    reporting_org_id      INTEGER NOT NULL REFERENCES organisations (id),
    disaggregation_set_id INTEGER REFERENCES disaggregation_sets (id),
    sensitive             BOOLEAN NOT NULL DEFAULT FALSE,
    position              INTEGER NOT NULL DEFAULT 0,
    archived_at           DATETIME,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL,
    CHECK ((objective_id IS NULL) <> (activity_id IS NULL)),
    CHECK ((baseline_value IS NULL) = (baseline_year IS NULL))
);
CREATE UNIQUE INDEX indicators_plan_code_key ON indicators (plan_id, code);
CREATE INDEX indicators_objective_idx ON indicators (objective_id);
CREATE INDEX indicators_activity_idx ON indicators (activity_id);
CREATE INDEX indicators_reporting_org_idx ON indicators (reporting_org_id);

CREATE TABLE indicator_targets (
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (indicator_id, year)
);

CREATE TABLE reporting_periods (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans (id),
    label         TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 32),
    start_date    DATE NOT NULL,
    end_date      DATE NOT NULL,
    due_date      DATE NOT NULL,
    grace_days    INTEGER NOT NULL DEFAULT 0 CHECK (grace_days BETWEEN 0 AND 366),
    lock_override TEXT CHECK (lock_override IN ('locked','unlocked')),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    CHECK (end_date >= start_date),
    CHECK (due_date >= end_date)
);
CREATE UNIQUE INDEX reporting_periods_plan_label_key ON reporting_periods (plan_id, label);
CREATE INDEX reporting_periods_plan_end_idx ON reporting_periods (plan_id, end_date);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('admin','secretariat','focal_point','donor','facilitator')),
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash   TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '' CHECK (language IN ('','en','fr','lo')),
    disabled_at     DATETIME,
    last_login_at   DATETIME,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK (role NOT IN ('focal_point','donor') OR organisation_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE period_exceptions (
    id              INTEGER PRIMARY KEY,
    period_id       INTEGER NOT NULL REFERENCES reporting_periods (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    until_date      DATE NOT NULL,
    reason          TEXT NOT NULL CHECK (length(reason) >= 1),
    granted_by_id   INTEGER REFERENCES users (id),
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX period_exceptions_key ON period_exceptions (period_id, organisation_id);

CREATE TABLE indicator_values (
    id              INTEGER PRIMARY KEY,
    indicator_id    INTEGER NOT NULL REFERENCES indicators (id),
    period_id       INTEGER NOT NULL REFERENCES reporting_periods (id),
    value           REAL,
    text_value      TEXT NOT NULL DEFAULT '',
    narrative       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','returned')),
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by_id   INTEGER REFERENCES users (id),
    updated_by_id   INTEGER REFERENCES users (id),
    submitted_at    DATETIME,
    submitted_by_id INTEGER REFERENCES users (id),
    approved_at     DATETIME,
    approved_by_id  INTEGER REFERENCES users (id),
    returned_at     DATETIME,
    returned_by_id  INTEGER REFERENCES users (id),
    return_comment  TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK (status <> 'approved' OR approved_at IS NOT NULL),
    CHECK (status NOT IN ('submitted','approved') OR submitted_at IS NOT NULL)
);
CREATE UNIQUE INDEX indicator_values_key ON indicator_values (indicator_id, period_id);
CREATE INDEX indicator_values_period_idx ON indicator_values (period_id, status);

CREATE TABLE value_breakdowns (
    value_id INTEGER NOT NULL REFERENCES indicator_values (id) ON DELETE CASCADE,
    cell     TEXT NOT NULL CHECK (length(cell) BETWEEN 1 AND 200),
    value    REAL NOT NULL,
    PRIMARY KEY (value_id, cell)
);

CREATE TABLE activity_updates (
    id               INTEGER PRIMARY KEY,
    activity_id      INTEGER NOT NULL REFERENCES activities (id),
    period_id        INTEGER NOT NULL REFERENCES reporting_periods (id),
    progress         TEXT NOT NULL CHECK (progress IN ('not_started','on_track','delayed','completed','cancelled')),
    percent_complete INTEGER NOT NULL DEFAULT 0 CHECK (percent_complete BETWEEN 0 AND 100),
    achievements     TEXT NOT NULL DEFAULT '',
    challenges       TEXT NOT NULL DEFAULT '',
    next_steps       TEXT NOT NULL DEFAULT '',
    expenditure      NUMERIC NOT NULL DEFAULT 0 CHECK (expenditure >= 0),
    status           TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','returned')),
    version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by_id    INTEGER REFERENCES users (id),
    updated_by_id    INTEGER REFERENCES users (id),
    submitted_at     DATETIME,
    submitted_by_id  INTEGER REFERENCES users (id),
    approved_at      DATETIME,
    approved_by_id   INTEGER REFERENCES users (id),
    returned_at      DATETIME,
    returned_by_id   INTEGER REFERENCES users (id),
    return_comment   TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    CHECK (status <> 'approved' OR approved_at IS NOT NULL),
    CHECK (status NOT IN ('submitted','approved') OR submitted_at IS NOT NULL)
);
CREATE UNIQUE INDEX activity_updates_key ON activity_updates (activity_id, period_id);
CREATE INDEX activity_updates_period_idx ON activity_updates (period_id, status);

CREATE TABLE contribution_notes (
    id              INTEGER PRIMARY KEY,
    activity_id     INTEGER NOT NULL REFERENCES activities (id),
    period_id       INTEGER NOT NULL REFERENCES reporting_periods (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    note            TEXT NOT NULL CHECK (length(note) >= 1),
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by_id   INTEGER REFERENCES users (id),
    updated_by_id   INTEGER REFERENCES users (id),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX contribution_notes_key ON contribution_notes (activity_id, period_id, organisation_id);

CREATE TABLE evidence (
    id                 INTEGER PRIMARY KEY,
    indicator_value_id INTEGER REFERENCES indicator_values (id),
    activity_update_id INTEGER REFERENCES activity_updates (id),
    kind               TEXT NOT NULL CHECK (kind IN ('file','link')),
    title              TEXT NOT NULL DEFAULT '',
    url                TEXT NOT NULL DEFAULT '',
    filename           TEXT NOT NULL DEFAULT '',
    content_type       TEXT NOT NULL DEFAULT '',
    size_bytes         INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    sha256             TEXT NOT NULL DEFAULT '',
    uploaded_by_id     INTEGER REFERENCES users (id),
    created_at         DATETIME NOT NULL,
    CHECK ((indicator_value_id IS NULL) <> (activity_update_id IS NULL)),
    CHECK ((kind = 'link' AND url <> '') OR (kind = 'file' AND filename <> '' AND sha256 <> ''))
);
CREATE INDEX evidence_value_idx ON evidence (indicator_value_id);
CREATE INDEX evidence_update_idx ON evidence (activity_update_id);

CREATE TABLE evidence_blobs (
    evidence_id INTEGER PRIMARY KEY REFERENCES evidence (id) ON DELETE CASCADE,
    content     BLOB NOT NULL
);

CREATE TABLE comments (
    id                 INTEGER PRIMARY KEY,
    indicator_value_id INTEGER REFERENCES indicator_values (id),
    activity_update_id INTEGER REFERENCES activity_updates (id),
    author_id          INTEGER NOT NULL REFERENCES users (id),
    body               TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at         DATETIME NOT NULL,
    CHECK ((indicator_value_id IS NULL) <> (activity_update_id IS NULL))
);
CREATE INDEX comments_value_idx ON comments (indicator_value_id);
CREATE INDEX comments_update_idx ON comments (activity_update_id);

CREATE TABLE audit_entries (
    id          INTEGER PRIMARY KEY,
    occurred_at DATETIME NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    actor       TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL CHECK (length(action) >= 1),
    entity_type TEXT NOT NULL DEFAULT '',
    entity_id   INTEGER,
    plan_id     INTEGER REFERENCES plans (id),
    old_value   TEXT NOT NULL DEFAULT '',
    new_value   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    client_ip   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_entity_idx ON audit_entries (entity_type, entity_id);
CREATE INDEX audit_entries_plan_idx ON audit_entries (plan_id, occurred_at);
CREATE INDEX audit_entries_time_idx ON audit_entries (occurred_at);

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
