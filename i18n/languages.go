package i18n

// Language is everything NAP Tracker knows about one interface language
// apart from its catalogue (locales/<code>/*.json). Adding a language is a
// row here plus its catalogue: the database checks languages in code
// (see Valid), so no table needs rebuilding.
type Language struct {
	// Code is the BCP 47 tag the catalogues and the database use.
	Code string
	// Name is the language's name in that language, for the switcher.
	Name string
	// Plural returns the CLDR plural category of n ("one" or "other").
	Plural func(n int) string
	// Thousands and Decimal are the number separators.
	Thousands, Decimal string
	// PercentSep stands between a number and "%".
	PercentSep string
	// Months are the month names dates are written with; empty: dates are
	// written in ISO form (2024-03-31), which scripts and tests also read.
	Months [12]string
	// DateSep stands between day, month and year when Months is set.
	DateSep string
}

// Languages is the one table of interface languages, in switcher order;
// the first is the default.
var Languages = []Language{
	{Code: "en", Name: "English", Plural: oneIsOne, Thousands: ",", Decimal: "."},
	// French uses the CLDR abbreviations ("27 nov. 2026").
	{Code: "fr", Name: "Français", Plural: zeroAndOneAreOne, Thousands: "\u202f", Decimal: ",", PercentSep: "\u202f",
		Months:  [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		DateSep: "\u00a0"},
	// Lao has no plural forms and writes the month in full, as official
	// letters do ("27 ພະຈິກ 2026"), with Western digits, which are the usual
	// ones in Lao official documents.
	{Code: "lo", Name: "ພາສາລາວ", Plural: alwaysOther, Thousands: ",", Decimal: ".",
		Months:  [12]string{"ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"},
		DateSep: " "},
}

// Default is the language used when nothing else matches, and the fallback
// for a key missing from another catalogue.
const Default = "en"

// Supported lists the interface language codes in switcher order.
var Supported = codes()

// Names gives each language's name in that language, for the switcher.
var Names = names()

// Valid reports whether code is an interface language. The database does
// not check languages itself (migration 0014 dropped its CHECKs), so every
// write of a language goes through this.
func Valid(code string) bool {
	_, ok := lookup(code)
	return ok
}

// lookup returns the language of code.
func lookup(code string) (Language, bool) {
	for _, l := range Languages {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// languageOf returns the language of code, or the default language's rules for
// an unknown code.
func languageOf(code string) Language {
	if l, ok := lookup(code); ok {
		return l
	}
	return Languages[0]
}

func codes() []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = l.Code
	}
	return out
}

func names() map[string]string {
	out := make(map[string]string, len(Languages))
	for _, l := range Languages {
		out[l.Code] = l.Name
	}
	return out
}

func oneIsOne(n int) string {
	if n == 1 {
		return "one"
	}
	return "other"
}

func zeroAndOneAreOne(n int) string {
	if n == 0 || n == 1 {
		return "one"
	}
	return "other"
}

func alwaysOther(int) string { return "other" }
