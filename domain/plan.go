package domain

import "time"

// Reporting frequencies of a plan.
const (
	Quarterly  = "quarterly"
	HalfYearly = "half_yearly"
	Yearly     = "yearly"
)

// Plan is a National Action Plan: the root of the pillar → objective →
// activity tree, with its own tier labels and RAG thresholds.
type Plan struct {
	ID          int64
	Code        string
	Title       string
	Description string
	Country     string
	StartYear   int
	EndYear     int
	Frequency   string
	Tier1Label  string `gorm:"column:tier1_label"`
	Tier2Label  string `gorm:"column:tier2_label"`
	Tier3Label  string `gorm:"column:tier3_label"`
	// Translations of the tier labels (TierLabelIn).
	Tier1LabelI18n Texts `gorm:"column:tier1_label_i18n"`
	Tier2LabelI18n Texts `gorm:"column:tier2_label_i18n"`
	Tier3LabelI18n Texts `gorm:"column:tier3_label_i18n"`
	GreenThreshold float64
	RedThreshold   float64
	Language       string
	Currency       string
	Demo           bool
	ArchivedAt     *time.Time
	Version        int
	// DataVersion goes up in the transaction of every change a page of the
	// plan may show (see Audit): pages use it to answer 304 Not Modified.
	// Read-only here, so that saving a plan never writes an older count back.
	DataVersion int64 `gorm:"->"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Thresholds returns the plan's RAG thresholds.
func (p Plan) Thresholds() Thresholds {
	return Thresholds{Green: p.GreenThreshold, Red: p.RedThreshold}
}

// Pillar is the first tier of a plan (renamable per plan, "Pillar" by default).
type Pillar struct {
	ID          int64
	PlanID      int64
	Code        string
	Title       string
	TitleI18n   Texts
	Description string
	Position    int
	ArchivedAt  *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Objective is the second tier, under a pillar.
type Objective struct {
	ID          int64
	PlanID      int64
	PillarID    int64
	Code        string
	Title       string
	TitleI18n   Texts
	Description string
	Position    int
	ArchivedAt  *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
