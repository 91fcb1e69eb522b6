package offline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Kinds of pending upload: what the file was uploaded as.
const (
	UploadValues  = "values"
	UploadUpdates = "updates"
	UploadPlan    = "plan"
)

// PendingTTL is how long an uploaded workbook waits for its confirmation.
const PendingTTL = time.Hour

// PendingUpload is an uploaded workbook kept between its preview and its
// confirmation, for the user who uploaded it, so that the confirmation
// names the file by its SHA-256 instead of sending it again (a file near
// the size limit, sent twice as base64, would not fit in a request). It is
// in the database so that any instance can take the confirmation.
type PendingUpload struct {
	ID        int64
	UserID    int64
	Kind      string
	SHA256    string `gorm:"column:sha256"`
	FileName  string
	Content   []byte
	CreatedAt time.Time
}

// KeepUpload stores an uploaded file for the user until its confirmation
// (at most PendingTTL) and returns its SHA-256; the same file uploaded
// again replaces the earlier copy. Expired uploads of every user are
// removed on the way.
func KeepUpload(ctx context.Context, db *gorm.DB, userID int64, kind, name string, data []byte, now time.Time) (string, error) {
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("created_at < ?", now.Add(-PendingTTL)).Delete(&PendingUpload{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND kind = ? AND sha256 = ?", userID, kind, digest).Delete(&PendingUpload{}).Error; err != nil {
			return err
		}
		return tx.Create(&PendingUpload{UserID: userID, Kind: kind, SHA256: digest, FileName: name, Content: data, CreatedAt: now}).Error
	})
	return digest, err
}

// TakeUpload returns the file the user uploaded as kind with that SHA-256,
// and its name; a file never uploaded, uploaded by someone else or kept
// longer than PendingTTL is a Refusal (upload it again).
func TakeUpload(ctx context.Context, db *gorm.DB, userID int64, kind, digest string, now time.Time) ([]byte, string, error) {
	var p PendingUpload
	err := db.WithContext(ctx).Where("user_id = ? AND kind = ? AND sha256 = ? AND created_at >= ?", userID, kind, digest, now.Add(-PendingTTL)).
		Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", refuse(KindUnreadable, "offline.err.upload_expired", err)
	}
	if err != nil {
		return nil, "", err
	}
	if sum := sha256.Sum256(p.Content); hex.EncodeToString(sum[:]) != digest {
		return nil, "", refuse(KindUnreadable, "offline.err.upload_expired", errors.New("the kept upload does not match its digest"))
	}
	return p.Content, p.FileName, nil
}

// DropUpload forgets a kept upload once it is saved.
func DropUpload(ctx context.Context, db *gorm.DB, userID int64, kind, digest string) error {
	return db.WithContext(ctx).Where("user_id = ? AND kind = ? AND sha256 = ?", userID, kind, digest).Delete(&PendingUpload{}).Error
}
