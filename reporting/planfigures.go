package reporting

import (
	"context"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"

	"gorm.io/gorm"
)

// IndicatorFigures is one indicator's figures over a range for a reader.
type IndicatorFigures struct {
	Indicator  domain.Indicator
	Audience   figures.Audience
	Cells      []string // the breakdown cells, in the order of Assessment.Breakdown
	Assessment figures.Assessment
}

// PlanFigures is every indicator's figures over a range of a plan, as a
// scope may see them: the API's /figures.
type PlanFigures struct {
	Plan       domain.Plan
	Periods    []domain.ReportingPeriod // every period of the plan
	Range      planning.PeriodRange
	Indicators []IndicatorFigures
}

// LoadPlanFigures works out the figures of every indicator of a plan over
// the range from..to (labels; empty for the default, see ResolveRange) at
// the instant now, for the scope: approved values only, like the workshop
// report, unless includeUnapproved asks for the values the scope may see
// before approval too (its own organisation's, or all for the
// secretariat). Each indicator's figures are for the audience the scope is
// for it (Scope.AudienceFor). It reads a fixed number of queries whatever
// the size of the plan.
func LoadPlanFigures(ctx context.Context, db *gorm.DB, scope domain.Scope, code, from, to string, includeUnapproved bool, now time.Time) (*PlanFigures, error) {
	tree, err := planning.LoadPlanTree(ctx, db, code)
	if err != nil {
		return nil, err
	}
	db = db.WithContext(ctx)
	all, err := PlanPeriods(ctx, db, tree.Plan.ID)
	if err != nil {
		return nil, err
	}
	rng, err := planning.ResolveRange(all, from, to, now)
	if err != nil {
		return nil, err
	}
	ids := db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ? AND archived_at IS NULL", tree.Plan.ID)
	data, err := LoadFigureData(db, all, ids, !includeUnapproved, true)
	if err != nil {
		return nil, err
	}
	sets, err := LoadDisaggregationSets(db)
	if err != nil {
		return nil, err
	}
	out := &PlanFigures{Plan: tree.Plan, Periods: all, Range: rng}
	window := tree.Plan.Window(domain.FigurePeriods(all), rng.From, rng.To, now)
	add := func(ind domain.Indicator) {
		if d := data.Values[ind.ID]; d != nil && includeUnapproved && !scope.SeesUnapproved(ind.ReportingOrgID) {
			approvedOnly(d)
		}
		var cells []string
		if ind.DisaggregationSetID != nil && sets[*ind.DisaggregationSetID] != nil {
			cells = sets[*ind.DisaggregationSetID].Cells()
		}
		aud := scope.AudienceFor(ind.ReportingOrgID)
		out.Indicators = append(out.Indicators, IndicatorFigures{Indicator: ind, Audience: aud, Cells: cells,
			Assessment: data.Assess(ind, cells, window, aud)})
	}
	for _, p := range tree.Pillars {
		for _, o := range p.Objectives {
			for _, ind := range o.Indicators {
				add(ind)
			}
			for _, a := range o.Activities {
				for _, ind := range a.Indicators {
					add(ind)
				}
			}
		}
	}
	return out, nil
}

// approvedOnly drops the values (and breakdown cells) not approved yet.
func approvedOnly(d *IndicatorData) {
	keep := func(pts []figures.Point) []figures.Point {
		out := pts[:0:0]
		for _, p := range pts {
			if !p.Unapproved {
				out = append(out, p)
			}
		}
		return out
	}
	d.Total = keep(d.Total)
	for c, pts := range d.Cells {
		d.Cells[c] = keep(pts)
	}
}

// LoadDisaggregationSets reads every disaggregation set with its dimensions
// and categories in order (three queries), by id.
func LoadDisaggregationSets(db *gorm.DB) (map[int64]*domain.DisaggregationSet, error) {
	var sets []domain.DisaggregationSet
	err := db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Order("id").Find(&sets).Error
	out := make(map[int64]*domain.DisaggregationSet, len(sets))
	for i := range sets {
		out[sets[i].ID] = &sets[i]
	}
	return out, err
}
