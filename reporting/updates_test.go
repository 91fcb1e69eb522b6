package reporting_test

import (
	"context"
	"errors"
	"testing"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
)

func TestActivityUpdateWorkflow(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	target := reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: "2.3.3", Period: f.period}
	var existing domain.ActivityUpdate
	f.db.Joins("JOIN activities a ON a.id = activity_updates.activity_id").Joins("JOIN reporting_periods p ON p.id = activity_updates.period_id").
		Where("a.code = ? AND p.label = ?", "2.3.3", f.period).Limit(1).Find(&existing)
	in := reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: domain.ProgressOnTrack, PercentComplete: 60, Achievements: "Two provincial trainings held", Expenditure: 12000}, Version: existing.Version}

	if _, err := reporting.SaveUpdate(ctx, f.db, f.as(f.mops), target, in); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("another ministry saving the lead's update: %v", err)
	}
	bad := in
	bad.Progress, bad.PercentComplete = domain.ProgressCompleted, 80
	var ve *domain.ValidationError
	if _, err := reporting.SaveUpdate(ctx, f.db, f.as(f.molsw), target, bad); !errors.As(err, &ve) || ve.Fields["percent_complete"] == "" {
		t.Fatalf("completed at 80%%: %v", err)
	}
	u, err := reporting.SaveUpdate(ctx, f.db, f.as(f.molsw), target, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reporting.SaveUpdate(ctx, f.db, f.as(f.sec), target, in); !errors.Is(err, domain.ErrStale) {
		t.Fatalf("an edit on an old version: %v", err)
	}
	u, err = reporting.TransitionUpdate(ctx, f.db, f.as(f.molsw), target, reporting.ActionSubmit, u.Version, "")
	if err != nil || u.Status != domain.StatusSubmitted {
		t.Fatalf("submit: %v", err)
	}
	u, err = reporting.TransitionUpdate(ctx, f.db, f.as(f.sec), target, reporting.ActionApprove, u.Version, "")
	if err != nil || u.Status != domain.StatusApproved {
		t.Fatalf("approve: %v", err)
	}
	if _, err := reporting.TransitionUpdate(ctx, f.db, f.as(f.molsw), target, reporting.ActionReopen, u.Version, "typo"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a focal point reopening: %v", err)
	}
	if _, err := reporting.TransitionUpdate(ctx, f.db, f.as(f.sec), target, reporting.ActionReopen, u.Version, ""); !errors.As(err, &ve) {
		t.Errorf("reopening without a reason: %v", err)
	}
	u, err = reporting.TransitionUpdate(ctx, f.db, f.as(f.sec), target, reporting.ActionReopen, u.Version, "Expenditure double counted")
	if err != nil || u.Status != domain.StatusReturned || u.ApprovedAt != nil || u.ReturnComment != "Expenditure double counted" {
		t.Fatalf("reopen: %v %+v", err, u)
	}
	in.Version, in.Expenditure = u.Version, 9000
	if _, err := reporting.SaveUpdate(ctx, f.db, f.as(f.molsw), target, in); err != nil {
		t.Errorf("correcting a reopened update: %v", err)
	}
}

func TestContributionNotes(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	molsw, _ := planning.FindOrganisationByAcronym(ctx, f.db, "MOLSW")
	mops, _ := planning.FindOrganisationByAcronym(ctx, f.db, "MOPS")
	supported := reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: "3.1.2", Period: f.period} // MOPS leads, MOLSW supports
	own := reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: "2.3.3", Period: f.period}       // MOLSW leads, nobody supports

	var cur domain.ContributionNote
	f.db.Joins("JOIN activities a ON a.id = contribution_notes.activity_id").Joins("JOIN reporting_periods p ON p.id = contribution_notes.period_id").
		Where("a.code = ? AND p.label = ? AND contribution_notes.organisation_id = ?", "3.1.2", f.period, molsw.ID).Limit(1).Find(&cur)
	n, err := reporting.SaveContribution(ctx, f.db, f.as(f.molsw), supported, molsw.ID, "Social workers joined 4 joint operations", cur.Version)
	if err != nil || n.Version != cur.Version+1 {
		t.Fatalf("a supporter's note: %v", err)
	}
	for name, call := range map[string]func() error{
		"not a supporter": func() error {
			_, err := reporting.SaveContribution(ctx, f.db, f.as(f.molsw), own, molsw.ID, "x", 0)
			return err
		},
		"the lead is not a supporter": func() error {
			_, err := reporting.SaveContribution(ctx, f.db, f.as(f.mops), supported, mops.ID, "x", 0)
			return err
		},
		"another organisation's note": func() error {
			_, err := reporting.SaveContribution(ctx, f.db, f.as(f.mops), supported, molsw.ID, "x", n.Version)
			return err
		},
	} {
		if err := call(); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", name, err)
		}
	}
	if _, err := reporting.SaveContribution(ctx, f.db, f.as(f.molsw), supported, molsw.ID, "changed", cur.Version); !errors.Is(err, domain.ErrStale) {
		t.Errorf("stale note: %v", err)
	}
}
