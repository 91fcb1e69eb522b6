// Package i18n translates every visible string of NAP Tracker. Catalogues
// are embedded JSON files, locales/<lang>/<area>.json, each mapping a key
// either to a message or to its plural forms ("one", "other"); the files of
// a language are merged and a key defined twice is an error. Messages use fmt verbs,
// with explicit argument indexes (%[1]s) where a language needs another order.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"sync"

	"golang.org/x/text/language"
)

//go:embed locales
var localeFiles embed.FS

// message is a catalogue entry: either a single text or plural forms.
type message struct {
	Text  string
	Forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.Text)
	}
	return json.Unmarshal(b, &m.Forms)
}

// Bundle holds the parsed catalogues; it is read-only after Load.
type Bundle struct {
	catalogues map[string]map[string]message
	matcher    language.Matcher
	localizers map[string]*Localizer // one per language, shared (read-only)
}

// Load returns the embedded catalogues, parsed on the first call (a Bundle
// is read-only, so every caller shares one). It fails if the default
// catalogue is missing.
func Load() (*Bundle, error) { return embedded() }

// embedded is the bundle of the embedded catalogues, parsed once.
var embedded = sync.OnceValues(parse)

func parse() (*Bundle, error) {
	b := &Bundle{catalogues: map[string]map[string]message{}}
	files, err := fs.Glob(localeFiles, "locales/*/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		raw, err := localeFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		part := map[string]message{}
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		lang := path.Base(path.Dir(f))
		cat := b.catalogues[lang]
		if cat == nil {
			cat = map[string]message{}
			b.catalogues[lang] = cat
		}
		for k, m := range part {
			if _, dup := cat[k]; dup {
				return nil, fmt.Errorf("catalogue %s: key %q is defined twice", f, k)
			}
			cat[k] = m
		}
	}
	if _, ok := b.catalogues[Default]; !ok {
		return nil, fmt.Errorf("catalogue locales/%s is missing", Default)
	}
	tags := make([]language.Tag, len(Supported))
	for i, s := range Supported {
		tags[i] = language.Make(s)
	}
	b.matcher = language.NewMatcher(tags)
	b.localizers = map[string]*Localizer{}
	for lang := range b.catalogues {
		b.localizers[lang] = &Localizer{Lang: lang, b: b}
	}
	return b, nil
}

// Keys returns the keys of a language's catalogue, sorted.
func (b *Bundle) Keys(lang string) []string {
	var keys []string
	for k := range b.catalogues[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether the catalogue of lang defines key.
func (b *Bundle) Has(lang, key string) bool {
	_, ok := b.catalogues[lang][key]
	return ok
}

// CookieName is the cookie that keeps an anonymous visitor's choice of
// language (a signed-in user's choice is their account setting).
const CookieName = "lang"

// IsSupported reports whether lang is one of the interface languages.
func IsSupported(lang string) bool {
	for _, s := range Supported {
		if s == lang {
			return true
		}
	}
	return false
}

// Negotiate picks the interface language: the user's own setting if it is
// supported, else the visitor's choice kept in the "lang" cookie, else the
// best match for the Accept-Language header, else English.
func (b *Bundle) Negotiate(setting string, r *http.Request) string {
	if IsSupported(setting) {
		return setting
	}
	if r != nil {
		if c, err := r.Cookie(CookieName); err == nil && IsSupported(c.Value) {
			return c.Value
		}
		if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil && len(tags) > 0 {
			_, idx, conf := b.matcher.Match(tags...)
			if conf != language.No {
				return Supported[idx]
			}
		}
	}
	return Default
}

// For returns a localizer for a supported language (English for any other).
func (b *Bundle) For(lang string) *Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.localizers[Default]
}

// Localizer translates into one language; templates call its methods.
type Localizer struct {
	Lang string
	b    *Bundle
}

func (l *Localizer) lookup(key string) (message, bool) {
	if m, ok := l.b.catalogues[l.Lang][key]; ok {
		return m, true
	}
	m, ok := l.b.catalogues[Default][key]
	return m, ok
}

// T translates key, formatting args into the message. A key missing from
// every catalogue shows as "[key]" so that it is noticed, never as blank.
func (l *Localizer) T(key string, args ...any) string {
	m, ok := l.lookup(key)
	if !ok {
		return "[" + key + "]"
	}
	text := m.Text
	if m.Forms != nil {
		text = m.Forms["other"]
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// N translates a message that depends on a count n, choosing the plural
// form by the language's rules; n is the first format argument.
func (l *Localizer) N(key string, n int, args ...any) string {
	m, ok := l.lookup(key)
	if !ok {
		return "[" + key + "]"
	}
	text := m.Text
	if m.Forms != nil {
		text = m.Forms[PluralForm(l.Lang, n)]
		if text == "" {
			text = m.Forms["other"]
		}
	}
	return fmt.Sprintf(text, append([]any{n}, args...)...)
}

// PluralForm returns the CLDR plural category of n in lang (see Languages).
func PluralForm(code string, n int) string { return languageOf(code).Plural(n) }

// English returns the English text of a catalogue key (the "other" form of
// a plural message), for code that writes messages outside a page: logs,
// error values, the command line. The English catalogue is the one source
// of those texts.
func English(key string) (string, bool) {
	b, err := embedded()
	if err != nil {
		return "", false
	}
	m, ok := b.catalogues[Default][key]
	if !ok {
		return "", false
	}
	if m.Forms != nil {
		return m.Forms["other"], true
	}
	return m.Text, true
}
