-- 0014: the interface languages are checked in code (i18n.Valid), from the
-- one table of languages in i18n/languages.go, so that adding a language
-- needs no schema change. SQLite cannot drop a CHECK: plans and users are
-- rebuilt once, as in SQLite's "other kinds of table schema changes"
-- (https://sqlite.org/lang_altertable.html#otheralter), with foreign keys
-- off for the migration (the marker below) and checked before it commits.
-- naptracker:foreign-keys-off
CREATE TABLE plans_new (
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
    language        TEXT NOT NULL DEFAULT 'en',
    currency        TEXT NOT NULL DEFAULT 'USD',
    demo            BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at     DATETIME,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    data_version    INTEGER NOT NULL DEFAULT 0,
    CHECK (end_year >= start_year),
    CHECK (red_threshold > 0 AND red_threshold < green_threshold AND green_threshold <= 1.5)
);
INSERT INTO plans_new (id, code, title, description, country, start_year, end_year, frequency,
        tier1_label, tier2_label, tier3_label, green_threshold, red_threshold, language, currency,
        demo, archived_at, version, created_at, updated_at, data_version)
    SELECT id, code, title, description, country, start_year, end_year, frequency,
        tier1_label, tier2_label, tier3_label, green_threshold, red_threshold, language, currency,
        demo, archived_at, version, created_at, updated_at, data_version FROM plans;
DROP TABLE plans;
ALTER TABLE plans_new RENAME TO plans;
CREATE UNIQUE INDEX plans_code_key ON plans (code);

CREATE TABLE users_new (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('admin','secretariat','focal_point','donor','facilitator')),
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash   TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    disabled_at     DATETIME,
    last_login_at   DATETIME,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_enabled_at DATETIME,
    password_changed_at DATETIME,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    CHECK (role NOT IN ('focal_point','donor') OR organisation_id IS NOT NULL)
);
INSERT INTO users_new (id, email, name, role, organisation_id, password_hash, language, disabled_at,
        last_login_at, version, created_at, updated_at, totp_secret, totp_enabled_at,
        password_changed_at, totp_last_step)
    SELECT id, email, name, role, organisation_id, password_hash, language, disabled_at,
        last_login_at, version, created_at, updated_at, totp_secret, totp_enabled_at,
        password_changed_at, totp_last_step FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
