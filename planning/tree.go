package planning

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"naptracker/domain"

	"gorm.io/gorm"
)

// PlanTree is a whole plan loaded for display: pillars → objectives →
// activities → indicators, with the organisations they name. It is read with
// a fixed number of queries whatever the size of the plan.
type PlanTree struct {
	Plan          domain.Plan
	Pillars       []*PillarNode
	Organisations map[int64]*domain.Organisation
	// SetNames maps disaggregation set ids to their names.
	SetNames   map[int64]string
	Indicators int
	Activities int
}

// PillarNode is a pillar with its objectives.
type PillarNode struct {
	domain.Pillar
	Objectives []*ObjectiveNode
}

// ObjectiveNode is an objective with its outcome indicators and activities.
type ObjectiveNode struct {
	domain.Objective
	Indicators []domain.Indicator
	Activities []*ActivityNode
}

// ActivityNode is an activity with its supporters, funding and output indicators.
type ActivityNode struct {
	domain.Activity
	SupporterIDs []int64
	Funding      []domain.FundingLine
	Indicators   []domain.Indicator
}

// Org returns the organisation with the given id, or a stand-in named "?" when it is unknown.
func (t *PlanTree) Org(id int64) *domain.Organisation {
	if o, ok := t.Organisations[id]; ok {
		return o
	}
	return &domain.Organisation{ID: id, Acronym: "?", Name: "?"}
}

// DisaggregationName returns the name of a disaggregation set ("" for nil).
func (t *PlanTree) DisaggregationName(id *int64) string {
	if id == nil {
		return ""
	}
	return t.SetNames[*id]
}

// FindPlan loads a plan by code; ErrNotFound when there is none.
func FindPlan(ctx context.Context, db *gorm.DB, code string) (*domain.Plan, error) {
	var p domain.Plan
	err := db.WithContext(ctx).Where("code = ?", code).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// LoadPlanTree reads the plan with the given code and everything under it
// that is not archived, in display order, with nine queries.
func LoadPlanTree(ctx context.Context, db *gorm.DB, code string) (*PlanTree, error) {
	plan, err := FindPlan(ctx, db, code)
	if err != nil {
		return nil, err
	}
	db = db.WithContext(ctx)
	var (
		pillars    []domain.Pillar
		objectives []domain.Objective
		activities []domain.Activity
		indicators []domain.Indicator
		supporters []domain.ActivitySupporter
		funding    []domain.FundingLine
		orgs       []domain.Organisation
		sets       []domain.DisaggregationSet
	)
	live := "plan_id = ? AND archived_at IS NULL"
	if err := db.Where(live, plan.ID).Order("position, code").Find(&pillars).Error; err != nil {
		return nil, fmt.Errorf("load pillars: %w", err)
	}
	if err := db.Where(live, plan.ID).Order("position, code").Find(&objectives).Error; err != nil {
		return nil, fmt.Errorf("load objectives: %w", err)
	}
	if err := db.Where(live, plan.ID).Order("position, code").Find(&activities).Error; err != nil {
		return nil, fmt.Errorf("load activities: %w", err)
	}
	if err := db.Where(live, plan.ID).Order("position, code").Find(&indicators).Error; err != nil {
		return nil, fmt.Errorf("load indicators: %w", err)
	}
	inPlan := db.Model(&domain.Activity{}).Select("id").Where("plan_id = ?", plan.ID)
	if err := db.Where("activity_id IN (?)", inPlan).Order("activity_id, organisation_id").Find(&supporters).Error; err != nil {
		return nil, fmt.Errorf("load supporters: %w", err)
	}
	if err := db.Where("activity_id IN (?)", inPlan).Order("activity_id, id").Find(&funding).Error; err != nil {
		return nil, fmt.Errorf("load funding: %w", err)
	}
	if err := db.Order("acronym").Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}

	if err := db.Order("id").Find(&sets).Error; err != nil {
		return nil, fmt.Errorf("load disaggregation sets: %w", err)
	}

	t := &PlanTree{Plan: *plan, Organisations: make(map[int64]*domain.Organisation, len(orgs)), SetNames: map[int64]string{}}
	for _, s := range sets {
		t.SetNames[s.ID] = s.Name
	}
	for i := range orgs {
		t.Organisations[orgs[i].ID] = &orgs[i]
	}
	pillarByID := map[int64]*PillarNode{}
	for _, p := range pillars {
		n := &PillarNode{Pillar: p}
		pillarByID[p.ID] = n
		t.Pillars = append(t.Pillars, n)
	}
	objByID := map[int64]*ObjectiveNode{}
	for _, o := range objectives {
		if p, ok := pillarByID[o.PillarID]; ok {
			n := &ObjectiveNode{Objective: o}
			objByID[o.ID] = n
			p.Objectives = append(p.Objectives, n)
		}
	}
	actByID := map[int64]*ActivityNode{}
	for _, a := range activities {
		if o, ok := objByID[a.ObjectiveID]; ok {
			n := &ActivityNode{Activity: a}
			actByID[a.ID] = n
			o.Activities = append(o.Activities, n)
			t.Activities++
		}
	}
	for _, s := range supporters {
		if a, ok := actByID[s.ActivityID]; ok {
			a.SupporterIDs = append(a.SupporterIDs, s.OrganisationID)
		}
	}
	for _, f := range funding {
		if a, ok := actByID[f.ActivityID]; ok {
			a.Funding = append(a.Funding, f)
		}
	}
	for _, ind := range indicators {
		switch {
		case ind.ActivityID != nil && actByID[*ind.ActivityID] != nil:
			a := actByID[*ind.ActivityID]
			a.Indicators = append(a.Indicators, ind)
		case ind.ObjectiveID != nil && objByID[*ind.ObjectiveID] != nil:
			o := objByID[*ind.ObjectiveID]
			o.Indicators = append(o.Indicators, ind)
		default:
			continue
		}
		t.Indicators++
	}
	return t, nil
}

// PlanSummary is a plan with the sizes shown on the home page.
type PlanSummary struct {
	domain.Plan
	Pillars    int
	Activities int
	Indicators int
}

// ListPlans returns every plan that is not archived, with its sizes, in four queries.
func ListPlans(ctx context.Context, db *gorm.DB) ([]PlanSummary, error) {
	return ListPlansCached(ctx, db, nil)
}

// PlanSizes keeps the sizes ListPlansCached counted, each plan's for as
// long as its data version is unchanged (a plan edit raises it).
type PlanSizes struct {
	mu sync.Mutex
	m  map[int64]PlanSummary
}

// ListPlansCached is ListPlans reading the sizes from known when every
// plan's are there at its current data version: then in one query, which
// does not grow with the plans' size. known may be nil.
func ListPlansCached(ctx context.Context, db *gorm.DB, known *PlanSizes) ([]PlanSummary, error) {
	db = db.WithContext(ctx)
	var plans []domain.Plan
	if err := db.Where("archived_at IS NULL").Order("start_year DESC, code").Find(&plans).Error; err != nil {
		return nil, err
	}
	if known != nil {
		known.mu.Lock()
		out := make([]PlanSummary, 0, len(plans))
		for _, p := range plans {
			if s, ok := known.m[p.ID]; ok && s.DataVersion == p.DataVersion {
				s.Plan = p
				out = append(out, s)
			}
		}
		known.mu.Unlock()
		if len(out) == len(plans) {
			return out, nil
		}
	}
	type count struct {
		PlanID int64
		N      int
	}
	counts := func(model any) (map[int64]int, error) {
		var rows []count
		err := db.Model(model).Select("plan_id, COUNT(*) AS n").Where("archived_at IS NULL").Group("plan_id").Scan(&rows).Error
		m := make(map[int64]int, len(rows))
		for _, r := range rows {
			m[r.PlanID] = r.N
		}
		return m, err
	}
	pillars, err := counts(&domain.Pillar{})
	if err != nil {
		return nil, err
	}
	activities, err := counts(&domain.Activity{})
	if err != nil {
		return nil, err
	}
	indicators, err := counts(&domain.Indicator{})
	if err != nil {
		return nil, err
	}
	out := make([]PlanSummary, len(plans))
	for i, p := range plans {
		out[i] = PlanSummary{Plan: p, Pillars: pillars[p.ID], Activities: activities[p.ID], Indicators: indicators[p.ID]}
	}
	if known != nil {
		known.mu.Lock()
		if known.m == nil {
			known.m = map[int64]PlanSummary{}
		}
		for _, s := range out {
			known.m[s.ID] = s
		}
		known.mu.Unlock()
	}
	return out, nil
}

// CountPillars counts the pillars of a plan that are not archived (those
// LoadPlanTree reads), in one query.
func CountPillars(ctx context.Context, db *gorm.DB, planID int64) (int, error) {
	var n int64
	err := db.WithContext(ctx).Model(&domain.Pillar{}).Where("plan_id = ? AND archived_at IS NULL", planID).Count(&n).Error
	return int(n), err
}

// AllIndicators lists the tree's indicators in plan order: each
// objective's outcome indicators, then its activities' output indicators.
func (t *PlanTree) AllIndicators() []domain.Indicator {
	var out []domain.Indicator
	for _, p := range t.Pillars {
		for _, o := range p.Objectives {
			out = append(out, o.Indicators...)
			for _, a := range o.Activities {
				out = append(out, a.Indicators...)
			}
		}
	}
	return out
}

// FindOrganisationByAcronym looks an organisation up by acronym, ignoring case.
func FindOrganisationByAcronym(ctx context.Context, db *gorm.DB, acronym string) (*domain.Organisation, error) {
	var o domain.Organisation
	err := db.WithContext(ctx).Where("lower(acronym) = lower(?)", acronym).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.ErrNotFound
	}
	return &o, err
}
