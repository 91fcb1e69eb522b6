package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"naptracker/reporting"
	"naptracker/review"
)

// TestSlidesShowTheLatestPeriodThatIsDue: the compliance slide shows the
// latest period of the range whose due date has passed, not the range's
// last period (started but not due, so every organisation would show 0 %);
// when no period of the range is due yet, the slides say so.
func TestSlidesShowTheLatestPeriodThatIsDue(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	plan := demoPlan(t, db)
	all, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	q2 := -1
	for i := range all[:len(all)-1] {
		if strings.HasSuffix(all[i].Label, "Q2") && strings.HasSuffix(all[i+1].Label, "Q3") {
			q2 = i
		}
	}
	if q2 < 1 {
		t.Fatalf("the demo plan has no Q2 followed by Q3: %d periods", len(all))
	}

	// Just after Q2's due date: Q3 has started (the default range ends
	// there) but only Q2 is due.
	now := all[q2].DueBy().Add(time.Hour)
	s, err := review.LoadSlides(ctx, db, plan.Code, "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.To != all[q2+1].Label || s.Latest != all[q2].Label || s.NoneDue || !s.LatestDue.Equal(all[q2].DueDate) {
		t.Errorf("range to %s, compliance of %s (none due %v, due %v); want to %s, compliance of %s", s.To, s.Latest, s.NoneDue, s.LatestDue, all[q2+1].Label, all[q2].Label)
	}
	if tot := s.ComplianceTotal; tot.Expected == 0 || tot.NotDue != 0 || len(s.Compliance) == 0 {
		t.Errorf("compliance of a period that is due: %+v over %d organisations", tot, len(s.Compliance))
	}

	// Early in a year: the range is its first quarter, not due yet.
	q1 := q2 - 1
	s, err = review.LoadSlides(ctx, db, plan.Code, "", "", all[q1].StartDate.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !s.NoneDue || s.Latest != all[q1].Label || len(s.Compliance) != 0 || s.ComplianceTotal.Expected != 0 {
		t.Errorf("nothing due: none due %v, compliance of %s with %d rows %+v", s.NoneDue, s.Latest, len(s.Compliance), s.ComplianceTotal)
	}
}
