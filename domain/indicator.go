package domain

import (
	"time"

	"naptracker/figures"
)

// Unit types of an indicator.
const (
	UnitNumber     = "number"
	UnitPercentage = "percentage"
	UnitYesNo      = "yes_no"
	UnitMilestone  = "milestone"
)

// Directions in which an indicator should move.
const (
	Increase = figures.Increase
	Decrease = figures.Decrease
	Maintain = figures.Maintain
)

// Accumulation modes: how period values combine into an actual.
const (
	// AccumulateSum: each period reports what happened in it; a year's actual
	// is the sum of its periods, the plan's actual the sum of all periods.
	AccumulateSum = figures.Sum
	// AccumulateCumulative: each period reports what happened in it, but
	// targets are running totals since the start of the plan, so the actual at
	// any point is the sum of every period up to it.
	AccumulateCumulative = figures.Cumulative
	// AccumulateLatest: each period reports a level (a rate, a count of
	// functioning bodies); the actual is the most recent value.
	AccumulateLatest = figures.Latest
)

// Indicator measures an objective (outcome) or an activity (output).
// Exactly one of ObjectiveID and ActivityID is set.
type Indicator struct {
	ID                  int64
	PlanID              int64
	ObjectiveID         *int64
	ActivityID          *int64
	Code                string
	Name                string
	NameI18n            Texts
	Definition          string
	DefinitionI18n      Texts
	UnitType            string
	UnitLabel           string
	UnitLabelI18n       Texts
	Direction           string
	Accumulation        string
	BaselineValue       *float64
	BaselineYear        *int
	EndTarget           *float64
	MeansOfVerification string
	ReportingOrgID      int64
	DisaggregationSetID *int64
	Sensitive           bool
	Position            int
	ArchivedAt          *time.Time
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Level is "outcome" for objective indicators and "output" for activity indicators.
func (i Indicator) Level() string {
	if i.ActivityID != nil {
		return "output"
	}
	return "outcome"
}

// IndicatorTarget is an indicator's target for one calendar year.
type IndicatorTarget struct {
	IndicatorID int64 `gorm:"primaryKey;autoIncrement:false"`
	Year        int   `gorm:"primaryKey;autoIncrement:false"`
	Value       float64
}

// DisaggregationSet is a named breakdown such as "sex × age group": one or
// more dimensions, each with its categories. A breakdown cell names one
// category of every dimension.
type DisaggregationSet struct {
	ID         int64
	Code       string
	Name       string
	CreatedAt  time.Time
	Dimensions []DisaggregationDimension `gorm:"foreignKey:SetID"`
}

// DisaggregationDimension is one axis of a disaggregation set, such as sex.
type DisaggregationDimension struct {
	ID         int64
	SetID      int64
	Code       string
	Name       string
	Position   int
	Categories []DisaggregationCategory `gorm:"foreignKey:DimensionID"`
}

// DisaggregationCategory is one value of a dimension, such as "female".
type DisaggregationCategory struct {
	ID          int64
	DimensionID int64
	Code        string
	Label       string
	LabelI18n   Texts
	Position    int
}

// Cells lists every breakdown cell of the set, in dimension and category
// order: each cell is "dim=cat" for every dimension, joined by ";", such as
// "sex=female;age=child". The dimensions and categories must be loaded.
func (s DisaggregationSet) Cells() []string {
	cells := []string{""}
	for _, d := range s.Dimensions {
		var next []string
		for _, prefix := range cells {
			for _, c := range d.Categories {
				part := d.Code + "=" + c.Code
				if prefix != "" {
					part = prefix + ";" + part
				}
				next = append(next, part)
			}
		}
		cells = next
	}
	if len(cells) == 1 && cells[0] == "" {
		return nil
	}
	return cells
}
