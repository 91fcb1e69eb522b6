-- Second factor: the last 30-second TOTP step accepted for each user, so that
-- a code cannot be used twice (PostgreSQL). Keep in step with ../sqlite/0003_mfa.sql.

ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
