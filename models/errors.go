package models

import "errors"

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

// ValidationError carries per-field messages for invalid input.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string { return "invalid input" }

// Add records a message for a field, keeping the first one given.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns the error itself when it holds messages, else nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}
