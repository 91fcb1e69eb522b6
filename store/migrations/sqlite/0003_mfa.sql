-- Second factor: the last 30-second TOTP step accepted for each user, so that
-- a code cannot be used twice (SQLite). Keep in step with ../postgres/0003_mfa.sql.

ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
