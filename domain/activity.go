package domain

import "time"

// Funding line statuses, in the order money moves.
const (
	FundingPledged   = "pledged"
	FundingCommitted = "committed"
	FundingDisbursed = "disbursed"
)

// Activity is the third tier: the work a lead organisation does, with any
// number of supporting organisations and funding lines.
type Activity struct {
	ID          int64
	PlanID      int64
	ObjectiveID int64
	Code        string
	Title       string
	TitleI18n   Texts
	Description string
	StartDate   time.Time
	EndDate     time.Time
	LeadOrgID   int64
	Budget      float64
	Currency    string
	Position    int
	ArchivedAt  *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ActivitySupporter links an activity to one of its supporting organisations.
type ActivitySupporter struct {
	ActivityID     int64 `gorm:"primaryKey;autoIncrement:false"`
	OrganisationID int64 `gorm:"primaryKey;autoIncrement:false"`
}

// FundingLine is money a funder puts towards an activity.
type FundingLine struct {
	ID         int64
	ActivityID int64
	FunderID   int64
	Amount     float64
	Currency   string
	Status     string
	Note       string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
