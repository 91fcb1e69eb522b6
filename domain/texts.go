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
