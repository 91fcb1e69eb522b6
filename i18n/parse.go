package i18n

import (
	"errors"
	"strconv"
	"strings"
)

// Errors of ParseNumber, so that a form can say what was wrong.
var (
	// ErrNotNumber: the text is not a number in the language's notation.
	ErrNotNumber = errors.New("not a number")
	// ErrAmbiguous: the text reads as two different numbers depending on
	// whether its separator groups thousands or marks decimals.
	ErrAmbiguous = errors.New("ambiguous number")
)

// spaces are the thousands separators a person may type or paste: the
// ordinary space, the no-break space and the narrow no-break space (which
// the French interface itself prints).
var spaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// ParseNumber reads a number as a reader of the interface language writes
// it. Spaces of any kind group thousands in every language.
//
// English and Lao: the dot marks decimals, the comma groups thousands by
// threes ("1,250.5"); "62,5" is not a number.
//
// French: the comma marks decimals ("62,5", "1 234,5"). A dot is accepted
// as a decimal point too ("62.5", as typed on a numeric keypad), except
// where the text could just as well be a number written in another
// notation: a single comma or dot followed by exactly three digits after
// one to three digits that do not start with 0 ("1,234", "12.500") could
// be a thousand-and-something or a decimal, so it is refused with
// ErrAmbiguous, and the form asks for "1 234" or "1,2340"; once spaces
// group the thousands ("1 234,567") the comma can only be decimal. Both separators
// together, or several commas or dots, are refused too.
func ParseNumber(lang, s string) (float64, error) {
	s = strings.TrimSpace(s)
	plain := spaces.Replace(s)
	grouped := plain != s // spaces have already grouped the thousands
	s = plain
	if s == "" {
		return 0, ErrNotNumber
	}
	if languageOf(lang).Decimal == "," {
		return parseFrench(s, grouped)
	}
	if strings.Contains(s, ",") {
		intPart, frac, hasFrac := strings.Cut(s, ".")
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 4 { // "-123" is allowed as a first group
			return 0, ErrNotNumber
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrNotNumber
			}
		}
		s = strings.Join(groups, "")
		if hasFrac {
			s += "." + frac
		}
	}
	return parseDigits(s)
}

func parseFrench(s string, grouped bool) (float64, error) {
	commas, dots := strings.Count(s, ","), strings.Count(s, ".")
	if commas+dots > 1 {
		return 0, ErrAmbiguous
	}
	if commas+dots == 1 {
		sep := ","
		if dots == 1 {
			sep = "."
		}
		intPart, frac, _ := strings.Cut(s, sep)
		digits := strings.TrimPrefix(strings.TrimPrefix(intPart, "-"), "+")
		if len(frac) == 3 && len(digits) >= 1 && len(digits) <= 3 && digits[0] != '0' && !grouped {
			return 0, ErrAmbiguous
		}
		s = intPart + "." + frac
	}
	return parseDigits(s)
}

// parseDigits accepts an optional sign, digits and at most one decimal
// point; no exponent, no "NaN" or "Inf", which strconv would take.
func parseDigits(s string) (float64, error) {
	body := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if body == "" || body == "." {
		return 0, ErrNotNumber
	}
	seenDot := false
	for _, r := range body {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !seenDot:
			seenDot = true
		default:
			return 0, ErrNotNumber
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, ErrNotNumber
	}
	return x, nil
}

// InputNum writes a stored number into a form field so that ParseNumber
// reads it back in the same language: no thousands separator, the
// language's decimal mark ("62,5" in French), never an ambiguous text. A
// nil pointer gives "".
func (l *Localizer) InputNum(v *float64) string {
	if v == nil {
		return ""
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	if languageOf(l.Lang).Decimal == "," {
		// "12,345" would read back as ambiguous: "12,3450" is the same number.
		if _, frac, ok := strings.Cut(s, "."); ok && len(frac) == 3 {
			s += "0"
		}
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
