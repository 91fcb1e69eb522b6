package planedit

import (
	"context"
	"slices"
	"strings"

	"naptracker/domain"

	"gorm.io/gorm"
)

// FundingStatuses lists the funding line statuses in the order money moves.
var FundingStatuses = []string{domain.FundingPledged, domain.FundingCommitted, domain.FundingDisbursed}

// FundingInput is what a funding line form submits.
type FundingInput struct {
	FunderID               int64
	Amount                 float64
	Currency, Status, Note string
	Version                int
}

func (in FundingInput) trimmed() FundingInput {
	in.Currency, in.Note = strings.ToUpper(strings.TrimSpace(in.Currency)), strings.TrimSpace(in.Note)
	return in
}

// fundingFacts is what the audit log records of a funding line.
func fundingFacts(f *domain.FundingLine, activity, funder string) map[string]any {
	return map[string]any{"activity": activity, "funder": funder, "amount": f.Amount, "currency": f.Currency, "status": f.Status, "note": f.Note}
}

// checkFunding checks a funding line: the funder must be a development
// partner or an international organisation (an archived one only if it
// already funds this line).
func checkFunding(tx *gorm.DB, v *domain.ValidationError, in FundingInput, old *domain.FundingLine) (*domain.Organisation, error) {
	o, err := activeOrg(tx, v, "funder", in.FunderID, old != nil && old.FunderID == in.FunderID)
	if err != nil {
		return nil, err
	}
	if o != nil && !o.IsFunder() {
		v.AddKey("funder", "err.funder_type", o.Acronym)
	}
	if in.Amount < 0 || in.Amount > 1e13 {
		v.AddKey("amount", "err.amount")
	}
	checkCurrency(v, "currency", in.Currency)
	if !slices.Contains(FundingStatuses, in.Status) {
		v.AddKey("status", "err.funding_status")
	}
	checkText(v, "note", in.Note, false, 1000)
	return o, nil
}

// ValidateFundingInput checks a funding line form without saving it.
func ValidateFundingInput(ctx context.Context, db *gorm.DB, in FundingInput) error {
	v := &domain.ValidationError{}
	if _, err := checkFunding(db.WithContext(ctx), v, in.trimmed(), nil); err != nil {
		return err
	}
	return v.Err()
}

// ActivityFunding lists an activity's funding lines in the order they were added.
func ActivityFunding(ctx context.Context, db *gorm.DB, activityID int64) ([]domain.FundingLine, error) {
	var out []domain.FundingLine
	err := db.WithContext(ctx).Where("activity_id = ?", activityID).Order("id").Find(&out).Error
	return out, err
}

// FundingOver is how much the funding lines in the activity's currency
// exceed its budget (0 when they do not). More funding than budget is
// allowed, but the page warns about it.
func FundingOver(a domain.Activity, lines []domain.FundingLine) float64 {
	sum := 0.0
	for _, f := range lines {
		if f.Currency == a.Currency {
			sum += f.Amount
		}
	}
	if sum > a.Budget {
		return sum - a.Budget
	}
	return 0
}

// CreateFunding adds a funding line to an activity, with its audit row.
func CreateFunding(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, a *domain.Activity, in FundingInput) (*domain.FundingLine, error) {
	in = in.trimmed()
	f := &domain.FundingLine{ActivityID: a.ID, FunderID: in.FunderID, Amount: in.Amount, Currency: in.Currency, Status: in.Status, Note: in.Note, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		o, err := checkFunding(tx, v, in, nil)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.Create(f).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "funding.create", "funding_line", &f.ID, &plan.ID, nil, fundingFacts(f, a.Code, o.Acronym), "")
	})
	return f, err
}

// loadFunding loads a funding line of the activity and checks the version.
func loadFunding(tx *gorm.DB, a *domain.Activity, id int64, version int) (*domain.FundingLine, string, error) {
	var f domain.FundingLine
	if err := tx.Where("id = ? AND activity_id = ?", id, a.ID).Take(&f).Error; err != nil {
		return nil, "", domain.NotFound(err)
	}
	if version != f.Version {
		return nil, "", staleRow(tx, "funding_line", f.ID, f.Version)
	}
	var funder domain.Organisation
	if err := tx.Take(&funder, f.FunderID).Error; err != nil {
		return nil, "", err
	}
	return &f, funder.Acronym, nil
}

// UpdateFunding saves a funding line's form from the version it was made from.
func UpdateFunding(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, a *domain.Activity, id int64, in FundingInput) error {
	in = in.trimmed()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		f, oldFunder, err := loadFunding(tx, a, id, in.Version)
		if err != nil {
			return err
		}
		v := &domain.ValidationError{}
		o, err := checkFunding(tx, v, in, f)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		old := fundingFacts(f, a.Code, oldFunder)
		changes := map[string]any{"funder_id": in.FunderID, "amount": in.Amount, "currency": in.Currency, "status": in.Status, "note": in.Note}
		if err := bumpRow(tx, "funding_line", "funding_lines", f.ID, f.Version, changes, who.Now); err != nil {
			return err
		}
		f.FunderID, f.Amount, f.Currency, f.Status, f.Note = in.FunderID, in.Amount, in.Currency, in.Status, in.Note
		return domain.Audit(tx, who.Actor, "funding.update", "funding_line", &f.ID, &plan.ID, old, fundingFacts(f, a.Code, o.Acronym), "")
	})
}

// DeleteFunding removes a funding line (nothing depends on one), with its audit row.
func DeleteFunding(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, a *domain.Activity, id int64, version int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		f, funder, err := loadFunding(tx, a, id, version)
		if err != nil {
			return err
		}
		if err := tx.Delete(&domain.FundingLine{}, f.ID).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "funding.delete", "funding_line", &f.ID, &plan.ID, fundingFacts(f, a.Code, funder), nil, "")
	})
}
