package offline

import (
	"errors"
	"fmt"

	"naptracker/domain"
)

// Kinds of Refusal, each answered with its own HTTP status.
const (
	// Unreadable: not a workbook, damaged, or over a limit (422; 413 for size).
	KindUnreadable = "unreadable"
	// KindTooLarge: the file is over Limits.MaxFileBytes (413).
	KindTooLarge = "too_large"
	// KindTampered: not a template of this server, or changed where it may not be (422).
	KindTampered = "tampered"
	// KindForbidden: a template of an organisation the user does not report for (403).
	KindForbidden = "forbidden"
	// KindClosed: the period no longer takes changes (423).
	KindClosed = "closed"
	// KindChanged: what would be saved is no longer what the preview showed (409).
	KindChanged = "changed"
)

// Refusal is why a whole file is refused: nothing of it is written. Msg
// is a key of the offline catalogue (handlers/i18n/locales/*/offline.json)
// with its arguments, so that every reader sees it in their own language.
type Refusal struct {
	Kind string
	Msg  domain.Message
	// Err is the underlying error, for the log (never shown).
	Err error
}

func (r *Refusal) Error() string {
	s := "offline template refused: " + r.Kind + " (" + r.Msg.Key + ")"
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	return s
}

func (r *Refusal) Unwrap() error { return r.Err }

func refuse(kind, key string, err error, args ...any) *Refusal {
	return &Refusal{Kind: kind, Msg: domain.Message{Key: key, Args: args}, Err: err}
}

// AsRefusal returns the refusal in err's chain, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// unreadable is the refusal of a file the reader cannot take.
func unreadable(key string, err error, args ...any) *Refusal {
	return refuse(KindUnreadable, key, err, args...)
}

// errPanic wraps a panic recovered inside excelize.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("the workbook reader failed: %v", e.v) }
