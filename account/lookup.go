package account

import (
	"context"
	"database/sql"
	"errors"

	"naptracker/domain"
	"naptracker/store"

	"gorm.io/gorm"
)

// Every page view and every API call finds its session or token and the
// user behind it. Through gorm that was two queries, each scanned by
// reflection; these read both in one query into the models' fields
// (store.Columns: every column the models map, named once).
var (
	sessionCols, tokenCols, userCols = store.ColumnsOf(&Session{}), store.ColumnsOf(&APIToken{}), store.ColumnsOf(&domain.User{})

	sessionQuery = "SELECT " + sessionCols.Select("s") + ", " + userCols.Select("u") +
		" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.ended_at IS NULL"
	tokenQuery = "SELECT " + tokenCols.Select("t") + ", " + userCols.Select("u") +
		" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)

// lookupWithUser runs one of the queries above for a secret's hash and
// scans the row into row (a *Session or *APIToken) and u; domain.ErrNotFound
// when there is none.
func lookupWithUser(ctx context.Context, db *gorm.DB, query, hash string, rowCols *store.Columns, row any, u *domain.User) error {
	fields := rowCols.Fields(make([]any, 0, len(rowCols.Names)+len(userCols.Names)), row)
	fields = userCols.Fields(fields, u)
	err := db.WithContext(ctx).Raw(query, hash).Row().Scan(fields...)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNotFound
	}
	return err
}
