package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsRetryable reports whether err is PostgreSQL's refusal of a transaction
// that lost a race with another — a deadlock (40P01) or a serialization
// failure (40001). The server rolled the transaction back entirely, so the
// same command can simply run again. Two "submit all" transactions can
// deadlock: each locks its own values, then the plan's row to bump its data
// version, then the other's values.
func IsRetryable(err error) bool {
	code := SQLState(err)
	return code == "40P01" || code == "40001"
}

// SQLState is the SQLSTATE code of a PostgreSQL error ("" for another error).
func SQLState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}
