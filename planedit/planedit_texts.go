package planedit

import (
	"strings"

	"naptracker/domain"
	"naptracker/i18n"
)

// Translations of plan content come from the editing forms as one field
// per language (title_fr, title_lo; name_fr for indicators). The plan's own
// language is the original column, so it never has a translation.

// cleanTexts keeps the non-empty translations into the interface languages
// other than the plan's own, trimmed.
func cleanTexts(t domain.Texts, planLang string) domain.Texts {
	out := domain.Texts{}
	for lang, s := range t {
		if s = strings.TrimSpace(s); s != "" && lang != planLang && i18n.Valid(lang) {
			out[lang] = s
		}
	}
	return out
}

// checkTexts records a message for each translation longer than max; the
// field of the French title is prefix+"_fr".
func checkTexts(v *domain.ValidationError, prefix string, t domain.Texts, max int) {
	for lang, s := range t {
		checkText(v, prefix+"_"+lang, s, false, max)
	}
}
