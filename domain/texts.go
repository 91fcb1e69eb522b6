package domain

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"strings"
)

// Texts holds translations of one piece of plan content (a pillar's title,
// an indicator's name) by language code. The original text stays in its own
// column; Texts only carries the other languages, so a plan written in
// English can be shown in French and Lao where a translator supplied them.
type Texts map[string]string

// In returns the translation for lang, or original when there is none.
func (t Texts) In(lang, original string) string {
	if s := strings.TrimSpace(t[lang]); s != "" {
		return s
	}
	return original
}

// Value stores Texts as a JSON object (never NULL, so both databases agree).
func (t Texts) Value() (driver.Value, error) {
	clean := Texts{}
	for k, v := range t {
		if v = strings.TrimSpace(v); v != "" {
			clean[k] = v
		}
	}
	b, err := json.Marshal(clean)
	return string(b), err
}

// Scan reads Texts from the JSON text column.
func (t *Texts) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*t = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return errors.New("models.Texts: unsupported column type")
	}
	if len(b) == 0 || string(b) == "{}" {
		*t = nil // most content has no translation: no map for it
		return nil
	}
	out := Texts{}
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*t = out
	return nil
}

// TitleIn is the pillar's title in lang, else the original.
func (p Pillar) TitleIn(lang string) string { return p.TitleI18n.In(lang, p.Title) }

// TitleIn is the objective's title in lang, else the original.
func (o Objective) TitleIn(lang string) string { return o.TitleI18n.In(lang, o.Title) }

// TitleIn is the activity's title in lang, else the original.
func (a Activity) TitleIn(lang string) string { return a.TitleI18n.In(lang, a.Title) }

// NameIn is the indicator's name in lang, else the original.
func (i Indicator) NameIn(lang string) string { return i.NameI18n.In(lang, i.Name) }

// DefinitionIn is the indicator's definition in lang, else the original.
func (i Indicator) DefinitionIn(lang string) string { return i.DefinitionI18n.In(lang, i.Definition) }

// UnitLabelIn is the indicator's unit label in lang, else the original.
func (i Indicator) UnitLabelIn(lang string) string { return i.UnitLabelI18n.In(lang, i.UnitLabel) }

// LabelIn is the breakdown category's label in lang, else the original.
func (c DisaggregationCategory) LabelIn(lang string) string { return c.LabelI18n.In(lang, c.Label) }

// Tier1In, Tier2In and Tier3In are the plan's tier labels (Pillar,
// Objective, Activity or the plan's own words) in lang, else the originals.
func (p Plan) Tier1In(lang string) string { return p.Tier1LabelI18n.In(lang, p.Tier1Label) }

// Tier2In is the second tier's label in lang (see Tier1In).
func (p Plan) Tier2In(lang string) string { return p.Tier2LabelI18n.In(lang, p.Tier2Label) }

// Tier3In is the third tier's label in lang (see Tier1In).
func (p Plan) Tier3In(lang string) string { return p.Tier3LabelI18n.In(lang, p.Tier3Label) }
