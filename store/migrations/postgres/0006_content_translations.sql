-- Translations of plan content: a JSON object {"fr": "...", "lo": "..."} per
-- title or name; the original text stays in its own column.
ALTER TABLE pillars ADD COLUMN title_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE objectives ADD COLUMN title_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activities ADD COLUMN title_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE indicators ADD COLUMN name_i18n TEXT NOT NULL DEFAULT '{}';
