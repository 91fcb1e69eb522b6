-- Translations of more plan content, like the titles' (0006): a JSON object
-- {"fr": "...", "lo": "..."} per text; the original stays in its own column.
-- Indicators' definitions and unit labels, breakdown categories' labels and
-- the plans' tier labels. Only adds columns, so it does not depend on any
-- migration after 0006.
ALTER TABLE indicators ADD COLUMN definition_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE indicators ADD COLUMN unit_label_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE disaggregation_categories ADD COLUMN label_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE plans ADD COLUMN tier1_label_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE plans ADD COLUMN tier2_label_i18n TEXT NOT NULL DEFAULT '{}';
ALTER TABLE plans ADD COLUMN tier3_label_i18n TEXT NOT NULL DEFAULT '{}';
