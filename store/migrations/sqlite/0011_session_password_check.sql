-- When the session's user last typed their password (SQLite). Keep in step
-- with ../postgres/0011_session_password_check.sql.
--
-- Sign-in counts as a check; high-value actions (role change, disabling an
-- account, a privileged user's API token, resetting a second factor) ask for
-- the password again when the last check is older than five minutes. NULL,
-- as for sessions started before this column existed, counts as long ago.

ALTER TABLE sessions ADD COLUMN password_checked_at DATETIME;
