package seed_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// Two dates of seeding: late in a year, and early in one so that P-1 and
// P-2 fall in the previous year and P-1 is still inside its grace days.
func lateInYear() time.Time  { return domain.Date(2026, time.November, 27) }
func earlyInYear() time.Time { return domain.Date(2025, time.February, 10) }

// freshDemo loads the demo plan for today into a new migrated database.
func freshDemo(t *testing.T, today time.Time) (*gorm.DB, *seed.Summary) {
	t.Helper()
	db := storetest.New(t)
	s, err := seed.Demo(context.Background(), db, today)
	if err != nil {
		t.Fatalf("Demo: %v", err)
	}
	return db, s
}

// demoSummaries holds the summary of each demo template, by template name.
var demoSummaries sync.Map

// loadDemo gives the test a copy of a database into which the test process
// loaded the demo plan for today once (a template per day).
func loadDemo(t *testing.T, today time.Time) (*gorm.DB, *seed.Summary) {
	t.Helper()
	name := "seed-demo-" + today.Format("20060102") // not modelstest.Demo's template: this one keeps its summary
	dsn := storetest.MigratedWith(t, name, func(ctx context.Context, db *gorm.DB) error {
		s, err := seed.Demo(ctx, db, today)
		if err != nil {
			return err
		}
		demoSummaries.Store(name, s)
		return nil
	})
	s, _ := demoSummaries.Load(name)
	sum := *s.(*seed.Summary)
	return storetest.Open(t, dsn), &sum
}

// planData is everything a test looks at, loaded back from the database.
type planData struct {
	plan       domain.Plan
	orgs       map[int64]domain.Organisation
	pillars    []domain.Pillar
	objectives []domain.Objective
	activities []domain.Activity
	supporters []domain.ActivitySupporter
	funding    []domain.FundingLine
	indicators []domain.Indicator
	targets    []domain.IndicatorTarget
	periods    []domain.ReportingPeriod
	values     []domain.IndicatorValue
	updates    []domain.ActivityUpdate
	exceptions []domain.PeriodException
	evidence   []domain.Evidence
	notes      []domain.ContributionNote
	sets       map[int64]domain.DisaggregationSet
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, db *gorm.DB, planID int64) *planData {
	t.Helper()
	d := &planData{orgs: map[int64]domain.Organisation{}, sets: map[int64]domain.DisaggregationSet{}}
	must(t, db.First(&d.plan, planID).Error)
	var orgs []domain.Organisation
	must(t, db.Find(&orgs).Error)
	for _, o := range orgs {
		d.orgs[o.ID] = o
	}
	must(t, db.Where("plan_id = ?", planID).Order("code").Find(&d.pillars).Error)
	must(t, db.Where("plan_id = ?", planID).Order("code").Find(&d.objectives).Error)
	must(t, db.Where("plan_id = ?", planID).Order("id").Find(&d.activities).Error)
	acts := db.Model(&domain.Activity{}).Select("id").Where("plan_id = ?", planID)
	must(t, db.Where("activity_id IN (?)", acts).Find(&d.supporters).Error)
	must(t, db.Where("activity_id IN (?)", acts).Find(&d.funding).Error)
	must(t, db.Where("activity_id IN (?)", acts).Find(&d.notes).Error)
	must(t, db.Where("plan_id = ?", planID).Order("id").Find(&d.indicators).Error)
	inds := db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ?", planID)
	must(t, db.Where("indicator_id IN (?)", inds).Find(&d.targets).Error)
	must(t, db.Where("plan_id = ?", planID).Order("start_date").Find(&d.periods).Error)
	must(t, db.Preload("Breakdown").Where("indicator_id IN (?)", inds).Order("id").Find(&d.values).Error)
	must(t, db.Where("activity_id IN (?)", acts).Order("id").Find(&d.updates).Error)
	pers := db.Model(&domain.ReportingPeriod{}).Select("id").Where("plan_id = ?", planID)
	must(t, db.Where("period_id IN (?)", pers).Find(&d.exceptions).Error)
	vals := db.Model(&domain.IndicatorValue{}).Select("id").Where("indicator_id IN (?)", inds)
	must(t, db.Where("indicator_value_id IN (?)", vals).Find(&d.evidence).Error)
	var sets []domain.DisaggregationSet
	must(t, db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).Find(&sets).Error)
	for _, s := range sets {
		d.sets[s.ID] = s
	}
	return d
}

func (d *planData) periodIndex() map[int64]int {
	m := map[int64]int{}
	for k, p := range d.periods {
		m[p.ID] = k
	}
	return m
}

func (d *planData) current(today time.Time) int {
	for k, p := range d.periods {
		if !today.Before(p.StartDate) && !today.After(p.EndDate) {
			return k
		}
	}
	return -1
}
