package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// separators returns the thousands and decimal separators of a language.
func separators(code string) (thousands, decimal string) {
	l := languageOf(code)
	return l.Thousands, l.Decimal
}

// Num writes a number with the language's separators and at most
// two decimals, dropping trailing zeros (1,234.5). A nil pointer prints "–".
func (l *Localizer) Num(v any) string {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case *float64:
		if x == nil {
			return "–"
		}
		f = *x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	default:
		return "–"
	}
	return groupDigits(l.Lang, f, 2)
}

// Pct writes a fraction as a percentage (0.85 → 85 %).
func (l *Localizer) Pct(fraction float64) string {
	return groupDigits(l.Lang, fraction*100, 1) + languageOf(l.Lang).PercentSep + "%"
}

// Money writes an amount with its currency code (USD 120,000).
func (l *Localizer) Money(amount float64, currency string) string {
	return currency + " " + groupDigits(l.Lang, amount, 0)
}

// Date writes a calendar date so that it cannot be misread: ISO in English
// (2024-03-31, which scripts and tests also read), day and month name in
// French (31 mars 2024) and Lao (31 ມີນາ 2024), never an ambiguous 03/04.
func (l *Localizer) Date(t time.Time) string {
	lg := languageOf(l.Lang)
	if lg.Months[0] == "" {
		return t.Format("2006-01-02")
	}
	return strconv.Itoa(t.Day()) + lg.DateSep + lg.Months[t.Month()-1] + lg.DateSep + strconv.Itoa(t.Year())
}

func groupDigits(lang string, f float64, decimals int) string {
	thousands, decimal := separators(lang)
	neg := f < 0
	f = math.Abs(f)
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if neg && (strings.Trim(intPart, "0") != "" || frac != "") {
		b.WriteString("-")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// DateTime writes an instant in UTC, to the minute, with the language's
// date (2024-03-31 14:05 UTC; 31 mars 2024 14:05 UTC).
func (l *Localizer) DateTime(t time.Time) string {
	t = t.UTC()
	return l.Date(t) + " " + t.Format("15:04") + " UTC"
}
