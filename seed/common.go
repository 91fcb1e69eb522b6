package seed

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// orgSpec is one organisation a seeded plan refers to by acronym.
type orgSpec struct {
	acronym, name, kind string
}

// setSpec describes a disaggregation set to create when no set with its code exists.
type setSpec struct {
	code, name string
	dims       []dimSpec
}

// dimSpec is one dimension of a setSpec; cats holds code and label pairs.
type dimSpec struct {
	code, name string
	cats       [][2]string
}

// Codes of the disaggregation sets the seeded plans use.
const (
	setSexAge       = "sex-age"
	setNationality  = "nationality"
	setExploitation = "exploitation"
)

// setSpecs are the shared disaggregation sets; existing sets with these codes are reused.
var setSpecs = []setSpec{
	{code: setSexAge, name: "Sex × age group", dims: []dimSpec{
		{code: "sex", name: "Sex", cats: [][2]string{{"female", "Female"}, {"male", "Male"}}},
		{code: "age", name: "Age group", cats: [][2]string{{"child", "Under 18"}, {"adult", "18 and over"}}},
	}},
	{code: setNationality, name: "Nationality", dims: []dimSpec{
		{code: "nationality", name: "Nationality", cats: [][2]string{
			{"lao", "Lao"}, {"thai", "Thai"}, {"chinese", "Chinese"}, {"vietnamese", "Vietnamese"}, {"other", "Other"}}},
	}},
	{code: setExploitation, name: "Form of exploitation", dims: []dimSpec{
		{code: "form", name: "Form of exploitation", cats: [][2]string{
			{"labour", "Forced labour"}, {"sexual", "Sexual exploitation"}, {"marriage", "Forced marriage"}, {"other", "Other"}}},
	}},
}

// partWeight is the typical share of one category, used to split totals
// into believable breakdowns (more women than men among identified victims,
// mostly Lao nationals, labour exploitation first).
func partWeight(part string) float64 {
	switch part {
	case "sex=female":
		return 0.68
	case "sex=male":
		return 0.32
	case "age=child":
		return 0.3
	case "age=adult":
		return 0.7
	case "nationality=lao":
		return 0.8
	case "nationality=thai":
		return 0.05
	case "nationality=chinese":
		return 0.08
	case "nationality=vietnamese":
		return 0.04
	case "nationality=other":
		return 0.03
	case "form=labour":
		return 0.42
	case "form=sexual":
		return 0.33
	case "form=marriage":
		return 0.2
	case "form=other":
		return 0.05
	}
	return 1
}

// cellWeights gives the typical share of each breakdown cell.
func cellWeights(cells []string) []float64 {
	w := make([]float64, len(cells))
	for i, c := range cells {
		w[i] = 1
		for _, part := range strings.Split(c, ";") {
			w[i] *= partWeight(part)
		}
	}
	return w
}

// dateOf returns midnight UTC of the calendar day of t, so that callers may
// pass any instant of "today".
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return domain.Date(y, m, d)
}

// conflict wraps models.ErrConflict with the plan code that already exists.
func conflict(code string) error {
	return fmt.Errorf("seed: a plan with code %s already exists: %w", code, domain.ErrConflict)
}

// requireNewPlan refuses to load a plan whose code is taken, so that seeding twice never duplicates data.
func requireNewPlan(tx *gorm.DB, code string) error {
	var n int64
	if err := tx.Model(&domain.Plan{}).Where("code = ?", code).Count(&n).Error; err != nil {
		return fmt.Errorf("seed: look up plan %s: %w", code, err)
	}
	if n > 0 {
		return conflict(code)
	}
	return nil
}

// createPlan inserts the plan, reporting a concurrent duplicate as a conflict.
func createPlan(tx *gorm.DB, p *domain.Plan) error {
	err := tx.Create(p).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return conflict(p.Code)
	}
	if err != nil {
		return fmt.Errorf("seed: create plan: %w", err)
	}
	return nil
}

// insert writes rows with multi-row INSERTs of size rows each; gorm fills the
// generated IDs back into the slice.
func insert[T any](tx *gorm.DB, rows []T, size int) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(rows, size).Error; err != nil {
		var zero T
		return fmt.Errorf("seed: insert %T: %w", zero, err)
	}
	return nil
}

// ensureOrgs returns the ID of every organisation in specs by acronym,
// reusing organisations whose acronym already exists (case-insensitively)
// and creating the others.
func ensureOrgs(tx *gorm.DB, specs []orgSpec, at time.Time) (map[string]int64, error) {
	var existing []domain.Organisation
	if err := tx.Order("id").Find(&existing).Error; err != nil {
		return nil, fmt.Errorf("seed: list organisations: %w", err)
	}
	byKey := map[string]int64{}
	for _, o := range existing {
		byKey[strings.ToLower(o.Acronym)] = o.ID
	}
	var missing []domain.Organisation
	for _, s := range specs {
		if _, ok := byKey[strings.ToLower(s.acronym)]; ok {
			continue
		}
		missing = append(missing, domain.Organisation{Acronym: s.acronym, Name: s.name, Type: s.kind,
			Version: 1, CreatedAt: at, UpdatedAt: at})
	}
	if err := insert(tx, missing, 100); err != nil {
		return nil, err
	}
	for _, o := range missing {
		byKey[strings.ToLower(o.Acronym)] = o.ID
	}
	ids := make(map[string]int64, len(specs))
	for _, s := range specs {
		ids[s.acronym] = byKey[strings.ToLower(s.acronym)]
	}
	return ids, nil
}

// ensureSets returns the shared disaggregation sets by code, with their
// dimensions and categories in order, creating those that do not exist yet.
func ensureSets(tx *gorm.DB, at time.Time) (map[string]domain.DisaggregationSet, error) {
	out := map[string]domain.DisaggregationSet{}
	for _, spec := range setSpecs {
		var found []domain.DisaggregationSet
		err := tx.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
			Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
			Where("code = ?", spec.code).Limit(1).Find(&found).Error
		if err != nil {
			return nil, fmt.Errorf("seed: look up disaggregation set %s: %w", spec.code, err)
		}
		if len(found) == 1 && len(found[0].Cells()) > 0 {
			out[spec.code] = found[0]
			continue
		}
		if len(found) == 1 {
			return nil, fmt.Errorf("seed: disaggregation set %s exists but has no categories", spec.code)
		}
		set := domain.DisaggregationSet{Code: spec.code, Name: spec.name, CreatedAt: at}
		for i, d := range spec.dims {
			dim := domain.DisaggregationDimension{Code: d.code, Name: d.name, Position: i + 1}
			for j, c := range d.cats {
				dim.Categories = append(dim.Categories, domain.DisaggregationCategory{Code: c[0], Label: c[1], Position: j + 1,
					LabelI18n: demoCategoryLabels[d.code+"="+c[0]]})
			}
			set.Dimensions = append(set.Dimensions, dim)
		}
		if err := tx.Create(&set).Error; err != nil {
			return nil, fmt.Errorf("seed: create disaggregation set %s: %w", spec.code, err)
		}
		out[spec.code] = set
	}
	return out, nil
}

// quarterStart is the first day of quarter q (0-based) counted from January of year.
func quarterStart(year, q int) time.Time {
	return domain.Date(year+q/4, time.Month(3*(q%4)+1), 1)
}

// quarterEnd is the last day of quarter q counted from January of year.
func quarterEnd(year, q int) time.Time {
	return quarterStart(year, q+1).AddDate(0, 0, -1)
}

// between picks an instant in [lo, hi), preferring office hours, to the minute.
// It returns lo when the window is empty. It always draws twice from rng so
// that what follows does not depend on the window.
func between(rng *rand.Rand, lo, hi time.Time) time.Time {
	f := rng.Float64()
	office := time.Duration(8*60+rng.IntN(9*60)) * time.Minute
	if !hi.After(lo) {
		return lo
	}
	t := lo.Add(time.Duration(f * float64(hi.Sub(lo))))
	o := dateOf(t).Add(office)
	if o.Before(lo) {
		o = o.AddDate(0, 0, 1)
	} else if !o.Before(hi) {
		o = o.AddDate(0, 0, -1)
	}
	if !o.Before(lo) && o.Before(hi) {
		t = o
	}
	if t = t.Truncate(time.Minute); t.Before(lo) {
		t = lo
	}
	return t
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// clock places workflow events of reports in time: submissions around the
// due date, validation some days later, and nothing after today.
type clock struct {
	today time.Time
}

// submittedAt is when a report for p was submitted: within the two weeks
// before the due date, or after it when late (if today leaves room for that).
func (c clock) submittedAt(rng *rand.Rand, p domain.ReportingPeriod, late bool) time.Time {
	afterDue := p.DueDate.AddDate(0, 0, 1)
	if late && afterDue.Before(c.today.Add(-time.Hour)) {
		return between(rng, afterDue, minTime(afterDue.AddDate(0, 0, 21), c.today))
	}
	lo := p.DueDate.AddDate(0, 0, -14)
	if first := p.EndDate.AddDate(0, 0, 1); lo.Before(first) {
		lo = first
	}
	hi := minTime(afterDue, c.today)
	if !hi.After(lo) {
		lo = hi.AddDate(0, 0, -2)
	}
	return between(rng, lo, hi)
}

// after is an instant two to fifteen days after t (a validation step), never after today.
func (c clock) after(rng *rand.Rand, t time.Time) time.Time {
	lo, hi := t.AddDate(0, 0, 2), minTime(t.AddDate(0, 0, 15), c.today)
	if !hi.After(lo) {
		lo, hi = t.Add(time.Minute), c.today
	}
	return between(rng, lo, hi)
}

// workflow fills the status and timestamps of a report for p in state st.
// Drafts are started within [draftFrom, today).
func (c clock) workflow(rng *rand.Rand, p domain.ReportingPeriod, st string, late bool, comment string, draftFrom time.Time) domain.Workflow {
	w := domain.Workflow{Status: st, Version: 1}
	if st == domain.StatusDraft {
		w.CreatedAt = between(rng, draftFrom, c.today)
		w.UpdatedAt = between(rng, w.CreatedAt, c.today)
		return w
	}
	sub := c.submittedAt(rng, p, late)
	w.SubmittedAt = &sub
	w.CreatedAt = between(rng, sub.AddDate(0, 0, -6), sub)
	w.UpdatedAt = sub
	switch st {
	case domain.StatusApproved:
		a := c.after(rng, sub)
		w.ApprovedAt, w.UpdatedAt = &a, a
	case domain.StatusReturned:
		r := c.after(rng, sub)
		w.ReturnedAt, w.UpdatedAt, w.ReturnComment = &r, r, comment
	}
	return w
}

// slot is the workflow state chosen for one report in one period.
type slot struct {
	state string // "" when nothing was reported
	late  bool
}

// quota asks for count reports in state, a share of them submitted late.
type quota struct {
	state string
	count int
	late  float64
}

// assign spreads states over n reports: reports are ranked at random, those
// with a higher bias (slow organisations) first, and the quotas are filled in
// order; whatever the quotas leave gets the state rest. When forceLate is
// set, the first submitted report is late.
func assign(rng *rand.Rand, bias []float64, quotas []quota, rest string, forceLate bool) []slot {
	n := len(bias)
	key := make([]float64, n)
	order := make([]int, n)
	for i := range key {
		key[i] = rng.Float64() - bias[i]
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
	out := make([]slot, n)
	pos := 0
	for _, q := range quotas {
		for c := 0; c < q.count && pos < n; c++ {
			i := order[pos]
			out[i] = slot{state: q.state, late: rng.Float64() < q.late}
			if forceLate && q.state == domain.StatusSubmitted {
				out[i].late, forceLate = true, false
			}
			pos++
		}
	}
	for ; pos < n; pos++ {
		out[order[pos]] = slot{state: rest, late: rng.Float64() < 0.1}
	}
	return out
}

// pick returns one of the strings at random.
func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }
