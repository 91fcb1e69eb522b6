package i18n_test

import (
	"errors"
	"testing"

	"naptracker/i18n"
)

func TestParseNumberInTheReadersNotation(t *testing.T) {
	t.Parallel()
	ok := []struct {
		lang, in string
		want     float64
	}{
		{"fr", "62,5", 62.5},
		{"fr", "1 234,5", 1234.5},
		{"fr", "1\u202f234,5", 1234.5},
		{"fr", "1\u00a0234\u00a0567", 1234567},
		{"fr", "1 234,567", 1234.567}, // grouped with spaces: the comma is decimal
		{"fr", "0,125", 0.125},
		{"fr", "62.5", 62.5},
		{"fr", "1234", 1234},
		{"fr", "12,3450", 12.345},
		{"fr", "-3,5", -3.5},
		{"en", "62.5", 62.5},
		{"en", "1,250", 1250},
		{"en", "1,234,567.25", 1234567.25},
		{"en", "1 250", 1250},
		{"lo", "1,250.5", 1250.5},
	}
	for _, tt := range ok {
		got, err := i18n.ParseNumber(tt.lang, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%q, %q) = %v, %v; want %v", tt.lang, tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		lang, in string
		want     error
	}{
		{"fr", "1,234", i18n.ErrAmbiguous},
		{"fr", "12.500", i18n.ErrAmbiguous},
		{"fr", "1.234,5", i18n.ErrAmbiguous},
		{"fr", "1,234,567", i18n.ErrAmbiguous},
		{"fr", "douze", i18n.ErrNotNumber},
		{"fr", "", i18n.ErrNotNumber},
		{"en", "62,5", i18n.ErrNotNumber},
		{"en", "1e5", i18n.ErrNotNumber},
		{"en", "NaN", i18n.ErrNotNumber},
		{"lo", "Inf", i18n.ErrNotNumber},
	}
	for _, tt := range bad {
		if got, err := i18n.ParseNumber(tt.lang, tt.in); !errors.Is(err, tt.want) {
			t.Errorf("ParseNumber(%q, %q) = %v, %v; want %v", tt.lang, tt.in, got, err, tt.want)
		}
	}
}

func TestInputNumReadsBackAsTheSameNumber(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr", "lo"} {
		l := b.For(lang)
		for _, x := range []float64{62.5, 12.345, 1234.5, 0.125, 1234567, 3} {
			s := l.InputNum(&x)
			if got, err := i18n.ParseNumber(lang, s); err != nil || got != x {
				t.Errorf("%s: %v written as %q reads back as %v, %v", lang, x, s, got, err)
			}
		}
	}
}
