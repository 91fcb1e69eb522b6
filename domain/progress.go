package domain

import (
	"time"

	"naptracker/figures"
)

// Rating words, as the figures package decides them (figures.Word). The
// names stay here because templates, handlers and the seeds speak of them.
const (
	RAGOnTrack  = figures.OnTrack
	RAGBehind   = figures.Behind
	RAGOffTrack = figures.OffTrack
	RAGNoData   = figures.NoData
	RAGNotDue   = figures.NotDue
	RAGWithheld = figures.Withheld
)

// RAGs lists the rating words in display order.
var RAGs = figures.Ratings

// Thresholds are a plan's rating limits (figures.Thresholds).
type Thresholds = figures.Thresholds

// DefaultThresholds are the thresholds of a new plan (85 % and 50 %).
var DefaultThresholds = figures.DefaultThresholds

// FigurePeriods gives a plan's periods (in order) as the figures package
// takes them.
func FigurePeriods(all []ReportingPeriod) []figures.Period {
	out := make([]figures.Period, len(all))
	for i, p := range all {
		out[i] = figures.Period{Label: p.Label, Start: p.StartDate, End: p.EndDate, Due: p.DueBy()}
	}
	return out
}

// Figures gives an indicator as the figures package takes it, with its
// yearly targets.
func (i Indicator) Figures(targets map[int]float64) figures.Indicator {
	return figures.Indicator{Accumulation: i.Accumulation, Direction: i.Direction, Baseline: i.BaselineValue,
		Targets: targets, Count: i.UnitType == UnitNumber, Sensitive: i.Sensitive}
}

// PublicScope is the scope of anything published (the IATI file): approved
// data only, and every figure for the external audience.
var PublicScope = Scope{Role: RoleDonor}

// AudienceFor is the audience the scope is for an indicator's figures
// reported by the given organisation: internal for administrators, the
// secretariat and the reporting organisation's own focal points, external
// for everyone else (donors, facilitators, other organisations).
func (s Scope) AudienceFor(reportingOrgID int64) figures.Audience {
	if s.SeesUnapproved(reportingOrgID) {
		return figures.Internal
	}
	return figures.External
}

// Window is the figures window of a plan's periods from..to (indices in
// all) at the instant now.
func (p Plan) Window(all []figures.Period, from, to int, now time.Time) figures.Window {
	return figures.Window{Periods: all, From: from, To: to, Now: now.UTC(), Thresholds: p.Thresholds()}
}
