package domain

import (
	"errors"

	"gorm.io/gorm"
)

// Sentinel errors returned by the models package. The HTTP error handler in
// app maps each of them to one status code, so handlers can simply return them.
var (
	// ErrNotFound means the requested record does not exist (or is hidden from the caller).
	ErrNotFound = errors.New("not found")
	// ErrStale means the caller edited an out-of-date version of a record.
	ErrStale = errors.New("the record was changed by someone else")
	// ErrLocked means the period or value is locked against changes.
	ErrLocked = errors.New("locked")
	// ErrForbidden means the caller may not perform the action on this record.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict means the change would break a uniqueness or reference rule.
	ErrConflict = errors.New("conflict")
)

// ValidationError carries per-field messages for invalid input. Fields
// holds them in English (logs, tests, clients that want one language);
// Keys holds, for the messages that have one, the catalogue key and its
// arguments, so that pages and the API can show it in the reader's language.
type ValidationError struct {
	Fields map[string]string
	Keys   map[string]Message
}

// Message is a translatable message: a key of the errors catalogue
// (i18n/locales/*/errors.json) and its format arguments.
type Message struct {
	Key  string
	Args []any
}

func (e *ValidationError) Error() string { return "invalid input" }

// Add records a message for a field, keeping the first one given. Prefer
// AddKey, which the reader sees in their own language.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// AddKey records a catalogued message for a field, keeping the first one
// given: its English text in Fields and its key in Keys.
func (e *ValidationError) AddKey(field, key string, args ...any) {
	if _, taken := e.Fields[field]; taken {
		return
	}
	e.Add(field, EnglishMessage(key, args...))
	if e.Keys == nil {
		e.Keys = map[string]Message{}
	}
	e.Keys[field] = Message{Key: key, Args: args}
}

// BadRequestError is invalid input in the address of a request (its path
// or query) rather than in what it submits: 400, with per-field messages.
type BadRequestError struct{ *ValidationError }

// Unwrap lets errors.As find the field messages.
func (e *BadRequestError) Unwrap() error { return e.ValidationError }

// FieldError is a validation error with one catalogued message.
func FieldError(field, key string, args ...any) *ValidationError {
	v := &ValidationError{}
	v.AddKey(field, key, args...)
	return v
}

// rename moves the message of one field to another (a shared check that
// calls the field "title" where the form calls it "name").
func (e *ValidationError) Rename(from, to string) {
	msg, ok := e.Fields[from]
	if !ok {
		return
	}
	key, keyed := e.Keys[from]
	delete(e.Fields, from)
	delete(e.Keys, from)
	if keyed {
		e.AddKey(to, key.Key, key.Args...)
	} else {
		e.Add(to, msg)
	}
}

// Localized returns the messages with each catalogued one translated by t
// (a localizer's T); the others stay in English.
func (e *ValidationError) Localized(t func(key string, args ...any) string) map[string]string {
	out := make(map[string]string, len(e.Fields))
	for field, msg := range e.Fields {
		if m, ok := e.Keys[field]; ok && t != nil {
			msg = m.Translate(t)
		}
		out[field] = msg
	}
	return out
}

// Err returns the error itself when it holds messages, else nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func NotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
