package account

import (
	"context"

	"naptracker/domain"
	"naptracker/i18n"

	"gorm.io/gorm"
)

// SetUserLanguage saves a user's own choice of interface language, with its
// audit row in the same transaction. It does not bump the account's
// version: the language is the person's own preference, and changing it
// must not make an administrator's open edit form stale.
func SetUserLanguage(ctx context.Context, db *gorm.DB, who domain.Caller, userID int64, lang string) error {
	if lang != "" && !i18n.Valid(lang) { // "": follow the browser (Accept-Language)
		v := &domain.ValidationError{}
		v.AddKey("language", "err.language_choice")
		return v
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUser(tx, userID, true)
		if err != nil {
			return err
		}
		if u.Language == lang {
			return nil
		}
		if err := tx.Model(&domain.User{}).Where("id = ?", u.ID).Updates(map[string]any{"language": lang, "updated_at": who.Now}).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "user.language", "user", &u.ID, nil,
			map[string]any{"language": u.Language}, map[string]any{"language": lang}, "")
	})
}
