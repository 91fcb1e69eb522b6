package domain

import (
	"fmt"

	"naptracker/i18n"
)

// Enum is a message argument that is one value of an enumeration (a
// status): English shows the value itself, other languages the catalogue
// entry Prefix+Value.
type Enum struct{ Prefix, Value string }

// EnglishMessage renders a catalogued message in English (the text of
// i18n/locales/en, the one source of the models' messages). Arguments that
// are messages themselves are rendered first; an unknown key shows as
// "[key]", as the page translator does.
func EnglishMessage(key string, args ...any) string {
	text, ok := i18n.English(key)
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return text
	}
	plain := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case Message:
			plain[i] = EnglishMessage(x.Key, x.Args...)
		case Enum:
			plain[i] = x.Value
		default:
			plain[i] = a
		}
	}
	return fmt.Sprintf(text, plain...)
}

// Translate renders a message with t, a localizer's T, translating the
// arguments that are messages or enumeration values too.
func (m Message) Translate(t func(key string, args ...any) string) string {
	if len(m.Args) == 0 {
		return t(m.Key)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch x := a.(type) {
		case Message:
			args[i] = x.Translate(t)
		case Enum:
			args[i] = t(x.Prefix + x.Value)
		default:
			args[i] = a
		}
	}
	return t(m.Key, args...)
}

// lockedf is a LockedError whose reason is a catalogued message.
func Lockedf(key string, args ...any) *LockedError {
	return &LockedError{Reason: EnglishMessage(key, args...), Msg: &Message{Key: key, Args: args}}
}
