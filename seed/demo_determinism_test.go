package seed_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// digest summarises every value and update of a plan by indicator or
// activity code and period position, with or without workflow timestamps.
func digest(d *planData, withTimes bool, upTo int) (string, int) {
	idx := d.periodIndex()
	code := map[int64]string{}
	for _, ind := range d.indicators {
		code[ind.ID] = ind.Code
	}
	for _, a := range d.activities {
		code[-a.ID] = a.Code
	}
	ts := func(t *time.Time) string {
		if t == nil || !withTimes {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	var lines []string
	for _, v := range d.values {
		if idx[v.PeriodID] >= upTo {
			continue
		}
		var cells []string
		for _, b := range v.Breakdown {
			cells = append(cells, fmt.Sprintf("%s=%v", b.Cell, b.Value))
		}
		sort.Strings(cells)
		status := v.Status
		if !withTimes {
			status = ""
		}
		lines = append(lines, fmt.Sprintf("v %s %d %v %q %s %s %s %s %v", code[v.IndicatorID], idx[v.PeriodID], *v.Value, v.TextValue,
			status, ts(v.SubmittedAt), ts(v.ApprovedAt), ts(v.ReturnedAt), cells))
	}
	for _, u := range d.updates {
		if idx[u.PeriodID] >= upTo {
			continue
		}
		status := u.Status
		if !withTimes {
			status = ""
		}
		lines = append(lines, fmt.Sprintf("u %s %d %s %d %v %s %s %s", code[-u.ActivityID], idx[u.PeriodID], u.Progress,
			u.PercentComplete, u.Expenditure, status, ts(u.SubmittedAt), ts(u.ApprovedAt)))
	}
	sort.Strings(lines)
	return fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(lines, "\n")))), len(lines)
}

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	dbA, sumA := loadDemo(t, lateInYear())
	dbB, sumB := freshDemo(t, lateInYear()) // a second load, not a copy of the first
	a, b := load(t, dbA, sumA.PlanID), load(t, dbB, sumB.PlanID)
	da, na := digest(a, true, len(a.periods))
	db, nb := digest(b, true, len(b.periods))
	if da != db || na != nb || na == 0 {
		t.Errorf("two loads with the same date differ: %s (%d rows) and %s (%d rows)", da, na, db, nb)
	}

	// Another date: the same plan shifted by whole years.
	dbC, sumC := loadDemo(t, earlyInYear())
	c := load(t, dbC, sumC.PlanID)
	if c.plan.StartYear != a.plan.StartYear-1 || len(c.indicators) != len(a.indicators) || len(c.activities) != len(a.activities) ||
		len(c.periods) != len(a.periods) || sumC.Indicators != sumA.Indicators {
		t.Errorf("plans loaded on different dates differ in shape: %+v and %+v", *sumA, *sumC)
	}
	upTo := min(a.current(lateInYear()), c.current(earlyInYear())) - 2
	da, na = digest(a, false, upTo)
	dc, nc := digest(c, false, upTo)
	if da != dc || na != nc {
		t.Errorf("the approved history differs between dates: %d and %d rows", na, nc)
	}
}

func TestDemoTwiceConflictsAndReusesOrganisations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	now := time.Now().UTC()
	mine := domain.Organisation{Acronym: "molsw", Name: "Labour ministry (entered by hand)", Type: domain.OrgMinistry,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	must(t, db.Create(&mine).Error)
	sum, err := seed.Demo(ctx, db, lateInYear())
	if err != nil {
		t.Fatalf("Demo with an existing organisation: %v", err)
	}
	var leads int64
	must(t, db.Model(&domain.Activity{}).Where("plan_id = ? AND lead_org_id = ?", sum.PlanID, mine.ID).Count(&leads).Error)
	if leads == 0 {
		t.Errorf("the existing MOLSW leads no activity")
	}
	var orgs, plans int64
	must(t, db.Model(&domain.Organisation{}).Count(&orgs).Error)
	_, err = seed.Demo(ctx, db, lateInYear())
	if !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second Demo: %v, want ErrConflict", err)
	}
	var orgsAfter int64
	must(t, db.Model(&domain.Organisation{}).Count(&orgsAfter).Error)
	must(t, db.Model(&domain.Plan{}).Count(&plans).Error)
	if orgsAfter != orgs || plans != 1 {
		t.Errorf("after the failed second load: %d organisations (was %d), %d plans", orgsAfter, orgs, plans)
	}
}
