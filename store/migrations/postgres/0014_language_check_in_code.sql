-- 0014: the interface languages are checked in code (i18n.Valid), from the
-- one table of languages in i18n/languages.go, so that adding a language
-- needs no schema change. PostgreSQL drops the CHECKs in place.
ALTER TABLE plans DROP CONSTRAINT IF EXISTS plans_language_check;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_language_check;
