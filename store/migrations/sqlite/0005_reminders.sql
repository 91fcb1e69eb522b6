-- Reminders by e-mail (SQLite). Keep in step with ../postgres/0005_reminders.sql.
--
-- Every reminder NAP Tracker decides to send is recorded here before it is
-- sent, so that none is lost when e-mail is not configured or the server
-- refuses it. The unique key (kind, user, period, ref) makes creating the
-- same reminder twice a no-op, on one instance or several; period_id is
-- NULL for the weekly digest, hence COALESCE (NULLs are never equal in a
-- unique index). claimed_at marks a reminder being sent by one instance.

CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('due_soon','overdue','returned','digest')),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    plan_id    INTEGER REFERENCES plans (id),
    period_id  INTEGER REFERENCES reporting_periods (id),
    ref        TEXT NOT NULL DEFAULT '',
    to_address TEXT NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject    TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    claimed_at DATETIME,
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    sent_at    DATETIME,
    error      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX reminders_key ON reminders (kind, user_id, COALESCE(period_id, 0), ref);
CREATE INDEX reminders_unsent_idx ON reminders (sent_at, created_at);
CREATE INDEX reminders_created_idx ON reminders (created_at);
