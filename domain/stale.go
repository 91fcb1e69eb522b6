package domain

import "time"

// StaleError is ErrStale with the details a user needs to resolve the
// conflict: the current version, who changed it and when.
type StaleError struct {
	Current   int
	ChangedBy string
	ChangedAt time.Time
}

func (e *StaleError) Error() string { return ErrStale.Error() }

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// LockedError is ErrLocked with the reason, for the page and the API:
// Reason in English, and Msg, when set, the same as a catalogued message
// that the page shows in the reader's language.
type LockedError struct {
	Reason string
	Msg    *Message
}

func (e *LockedError) Error() string { return "locked: " + e.Reason }

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
