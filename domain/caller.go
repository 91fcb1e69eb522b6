package domain

import "time"

// Caller is who asks for a command and when: the actor the audit log
// records, the scope the access policy checks, and the time the command
// stamps on what it writes. A handler builds one per request
// (handlers' Handler.caller); the commands of reporting and review take it
// instead of three parameters, so a command called twice for one user
// action (save, then submit) sees one time and one person.
type Caller struct {
	Actor Actor
	Scope Scope
	Now   time.Time
}

// Is reports whether the caller is the user with this id: their own
// account, which the account rules treat apart.
func (c Caller) Is(userID int64) bool { return c.Actor.UserID != nil && *c.Actor.UserID == userID }
