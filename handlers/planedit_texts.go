package handlers

import (
	"naptracker/domain"
	"naptracker/i18n"
)

// Translations of plan content are typed on the editing forms as one field
// per language, named like the original field with the language code
// (title_fr, title_lo; name_fr, name_lo for indicators). A plan's own
// language is its original text, so it gets no translation field.

// TranslationLanguages lists the languages the form offers a translation
// for: every interface language but the plan's own.
func (b editBase) TranslationLanguages() []string {
	var out []string
	for _, lang := range i18n.Supported {
		if b.Plan == nil || lang != b.Plan.Language {
			out = append(out, lang)
		}
	}
	return out
}

// setTexts fills the translation fields of a form (prefix_lang).
func (f formValues) setTexts(prefix string, t domain.Texts) {
	for lang, s := range t {
		f.set(prefix+"_"+lang, s)
	}
}

// texts reads the translation fields of a form; the models keep the ones
// the plan can have.
func (p *formParser) texts(prefix string) domain.Texts {
	out := domain.Texts{}
	for _, lang := range i18n.Supported {
		if s := p.text(prefix + "_" + lang); s != "" {
			out[lang] = s
		}
	}
	return out
}
