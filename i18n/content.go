package i18n

import (
	"html"
	"html/template"
	"strings"
)

// Plan content (titles of pillars, objectives and activities, names of
// indicators) is written in the plan's language and may carry translations
// by language. These helpers show the translation for the page's language
// when there is one, else the original.

// Text is the translation of original into the page's language from
// translations (lang → text), else the original. For attributes and
// <option> labels, where no markup may go.
func (l *Localizer) Text(original string, translations map[string]string) string {
	if s := strings.TrimSpace(translations[l.Lang]); s != "" {
		return s
	}
	return original
}

// Content is Text for page content: when the original is shown on a page
// in another language, it is wrapped in <span lang="…"> with the plan's
// language, so that screen readers pronounce it, and browsers hyphenate
// and choose fonts for it, correctly.
func (l *Localizer) Content(original string, translations map[string]string, originalLang string) template.HTML {
	if s := strings.TrimSpace(translations[l.Lang]); s != "" {
		return template.HTML(html.EscapeString(s))
	}
	text := html.EscapeString(original)
	if originalLang == "" || originalLang == l.Lang {
		return template.HTML(text)
	}
	return template.HTML(`<span lang="` + html.EscapeString(originalLang) + `">` + text + `</span>`)
}

// LangAttr is ` lang="…"` for an element holding untranslated plan text
// (a description) written in originalLang, when that is not the page's
// language; nothing otherwise.
func (l *Localizer) LangAttr(originalLang string) template.HTMLAttr {
	if originalLang == "" || originalLang == l.Lang {
		return ""
	}
	return template.HTMLAttr(` lang="` + html.EscapeString(originalLang) + `"`)
}
