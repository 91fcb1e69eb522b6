package reporting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"naptracker/domain"

	"gorm.io/gorm"
)

// ErrEvidenceHidden is the answer to a scope that may not see an item's
// evidence: a not-found (404), so that it does not learn what exists, which
// handlers still record in the security log.
var ErrEvidenceHidden = fmt.Errorf("%w: evidence hidden from this scope", domain.ErrNotFound)

// EvidenceOf names the item evidence is attached to: a ValueTarget or an
// UpdateTarget.
type EvidenceOf interface {
	evidenceSubject(tx *gorm.DB) (*evidenceSubject, error)
}

// evidenceSubject is what every evidence rule needs to know of its item.
type evidenceSubject struct {
	planID    int64
	orgID     int64 // the reporting organisation, or the activity's lead
	sensitive bool
	period    domain.ReportingPeriod
	valueID   *int64 // one of valueID and updateID is set once the item exists
	updateID  *int64
	status    string // "" when nothing has been reported yet
	column    string // evidence column that points at the item
}

func (s *evidenceSubject) itemID() *int64 {
	if s.valueID != nil {
		return s.valueID
	}
	return s.updateID
}

func (t ValueTarget) evidenceSubject(tx *gorm.DB) (*evidenceSubject, error) {
	vc, err := loadValueContext(tx, t)
	if err != nil {
		return nil, err
	}
	s := &evidenceSubject{planID: vc.plan.ID, orgID: vc.indicator.ReportingOrgID, sensitive: vc.indicator.Sensitive,
		period: vc.period, column: "indicator_value_id"}
	if vc.value != nil {
		s.valueID, s.status = &vc.value.ID, vc.value.Status
	}
	return s, nil
}

func (t UpdateTarget) evidenceSubject(tx *gorm.DB) (*evidenceSubject, error) {
	uc, err := loadUpdateContext(tx, t)
	if err != nil {
		return nil, err
	}
	s := &evidenceSubject{planID: uc.plan.ID, orgID: uc.activity.LeadOrgID, period: uc.period, column: "activity_update_id"}
	if uc.update != nil {
		s.updateID, s.status = &uc.update.ID, uc.update.Status
	}
	return s, nil
}

// EvidenceListing is an evidence row as lists show it, with its uploader's name.
type EvidenceListing struct {
	domain.Evidence
	UploaderName string
}

// Upload is one file sent as evidence, not yet checked.
type Upload struct {
	Name    string
	Size    int64
	Content io.ReaderAt
}

// MaxEvidenceFiles bounds the files of one upload.
const MaxEvidenceFiles = 10

// ListEvidence lists the evidence of an item, oldest first, for a scope
// that may see it (ErrEvidenceHidden otherwise). An item not reported yet has none.
func ListEvidence(ctx context.Context, db *gorm.DB, scope domain.Scope, of EvidenceOf) ([]EvidenceListing, error) {
	var out []EvidenceListing
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := visibleSubject(tx, scope, of)
		if err != nil {
			return err
		}
		if s.itemID() == nil {
			return nil
		}
		out, err = evidenceOf(tx, s.column, *s.itemID())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// evidenceOf lists the evidence of one item, oldest first, in one query;
// column is indicator_value_id or activity_update_id.
func evidenceOf(tx *gorm.DB, column string, id int64) ([]EvidenceListing, error) {
	var out []EvidenceListing
	err := evidenceListing(tx).Where("evidence."+column+" = ?", id).Order("evidence.id").Scan(&out).Error
	return out, err
}

// evidenceListing is the query of evidence rows with their uploader's name.
func evidenceListing(tx *gorm.DB) *gorm.DB {
	return tx.Table("evidence").Select("evidence.*, COALESCE(users.name, '') AS uploader_name").
		Joins("LEFT JOIN users ON users.id = evidence.uploaded_by_id")
}

// AddEvidence stores files as evidence of an item the scope reports, while
// the item is a draft or returned and its period open. Every file is
// checked first (type by content, size), so that either all are stored,
// each with its SHA-256, its bytes and its audit row, or none is.
func AddEvidence(ctx context.Context, db *gorm.DB, who domain.Caller, of EvidenceOf, files []Upload, maxSize int64) ([]domain.Evidence, error) {
	if len(files) == 0 {
		return nil, domain.FieldError("files", "err.evidence_none")
	}
	if len(files) > MaxEvidenceFiles {
		return nil, domain.FieldError("files", "err.evidence_too_many", MaxEvidenceFiles)
	}
	types := make([]domain.EvidenceType, len(files))
	for i, f := range files {
		if f.Size > maxSize {
			return nil, &TooLargeError{Name: f.Name, Limit: maxSize}
		}
		t, ok := domain.SniffEvidence(f.Name, f.Content, f.Size)
		if !ok {
			return nil, domain.FieldError("files", "err.evidence_type", domain.CleanFilename(f.Name))
		}
		types[i] = t
	}
	var out []domain.Evidence
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := of.evidenceSubject(tx)
		if err != nil {
			return err
		}
		if !who.Scope.CanReport(s.orgID) {
			return domain.ErrForbidden
		}
		if s.itemID() == nil {
			return domain.FieldError("files", "err.evidence_save_first")
		}
		if s.status != domain.StatusDraft && s.status != domain.StatusReturned {
			return domain.Lockedf("lock.evidence_status", s.status)
		}
		if err := checkPeriodOpen(tx, s.period, s.orgID, who.Now); err != nil {
			return err
		}
		for i, f := range files {
			data, err := io.ReadAll(io.NewSectionReader(f.Content, 0, f.Size))
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			e := domain.Evidence{Kind: domain.EvidenceFile, Filename: domain.SanitizeFilename(f.Name, types[i]), ContentType: types[i].ContentType,
				SizeBytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedByID: who.Actor.UserID, CreatedAt: who.Now}
			e.IndicatorValueID, e.ActivityUpdateID = s.valueID, s.updateID
			if err := tx.Create(&e).Error; err != nil {
				return err
			}
			if err := tx.Create(&domain.EvidenceBlob{EvidenceID: e.ID, Content: data}).Error; err != nil {
				return err
			}
			if err := domain.Audit(tx, who.Actor, "evidence.upload", "evidence", &e.ID, &s.planID, nil, evidenceSnapshot(&e), ""); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TooLargeError is a file over the configured size limit: 413.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Name, e.Limit)
}

func evidenceSnapshot(e *domain.Evidence) map[string]any {
	m := map[string]any{"filename": e.Filename, "content_type": e.ContentType, "size_bytes": e.SizeBytes, "sha256": e.SHA256}
	if e.IndicatorValueID != nil {
		m["indicator_value_id"] = *e.IndicatorValueID
	}
	if e.ActivityUpdateID != nil {
		m["activity_update_id"] = *e.ActivityUpdateID
	}
	return m
}

// findEvidence loads one file of the item, ErrNotFound when the id names
// another item's evidence, a link, or nothing.
func findEvidence(tx *gorm.DB, s *evidenceSubject, id int64) (*domain.Evidence, error) {
	if s.itemID() == nil {
		return nil, domain.ErrNotFound
	}
	var e domain.Evidence
	err := tx.Where("id = ? AND kind = ? AND "+s.column+" = ?", id, domain.EvidenceFile, *s.itemID()).Take(&e).Error
	if err != nil {
		return nil, domain.NotFound(err)
	}
	return &e, nil
}

// OpenEvidence returns a file and its bytes to a scope that may see the
// item's evidence, and records the download in the audit log.
func OpenEvidence(ctx context.Context, db *gorm.DB, who domain.Caller, of EvidenceOf, id int64) (*domain.Evidence, []byte, error) {
	var e *domain.Evidence
	var blob domain.EvidenceBlob
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := visibleSubject(tx, who.Scope, of)
		if err != nil {
			return err
		}
		if e, err = findEvidence(tx, s, id); err != nil {
			return err
		}
		if err := tx.Where("evidence_id = ?", e.ID).Take(&blob).Error; err != nil {
			return domain.NotFound(err)
		}
		return domain.Audit(tx, who.Actor, "evidence.download", "evidence", &e.ID, &s.planID, nil, evidenceSnapshot(e), "")
	})
	if err != nil {
		return nil, nil, err
	}
	return e, blob.Content, nil
}

// RemoveEvidence deletes a file, with its bytes, on behalf of the user who
// uploaded it, while the item is still a draft: once submitted, what the
// secretariat was sent stays. The audit row keeps its name and SHA-256.
func RemoveEvidence(ctx context.Context, db *gorm.DB, who domain.Caller, of EvidenceOf, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := of.evidenceSubject(tx)
		if err != nil {
			return err
		}
		if !who.Scope.CanReport(s.orgID) {
			return domain.ErrForbidden
		}
		e, err := findEvidence(tx, s, id)
		if err != nil {
			return err
		}
		if e.UploadedByID == nil || who.Actor.UserID == nil || *e.UploadedByID != *who.Actor.UserID {
			return domain.ErrForbidden
		}
		if s.status != domain.StatusDraft {
			return domain.Lockedf("lock.evidence_remove", s.status)
		}
		if err := checkPeriodOpen(tx, s.period, s.orgID, who.Now); err != nil {
			return err
		}
		if err := tx.Where("evidence_id = ?", e.ID).Delete(&domain.EvidenceBlob{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&domain.Evidence{}, e.ID).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "evidence.remove", "evidence", &e.ID, &s.planID, evidenceSnapshot(e), nil, "")
	})
}

// visibleSubject loads the item evidence belongs to, or ErrEvidenceHidden
// when the scope may not see its evidence.
func visibleSubject(tx *gorm.DB, scope domain.Scope, of EvidenceOf) (*evidenceSubject, error) {
	s, err := of.evidenceSubject(tx)
	if err != nil {
		return nil, err
	}
	if !scope.SeesEvidence(s.orgID, s.sensitive, s.status) {
		return nil, ErrEvidenceHidden
	}
	return s, nil
}
