package review_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/review"
)

// TestDecisions records decisions on the demo plan: bad input gets
// per-field messages, a donor may not record one, a good one is listed
// with what it names, and marked done with an audit row.
func TestDecisions(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	ctx := context.Background()
	plan := demoPlan(t, db)
	actor, _ := secretariatUser(t, db)
	facilitator := domain.Scope{UserID: *actor.UserID, Role: domain.RoleFacilitator}
	now := time.Now().UTC()

	if _, err := review.CreateDecision(ctx, db, domain.Caller{Actor: actor, Scope: domain.Scope{Role: domain.RoleDonor, OrgID: 1}, Now: now}, plan.ID, review.DecisionInput{Text: "x"}); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("a donor recorded a decision: %v", err)
	}
	var ve *domain.ValidationError
	_, err := review.CreateDecision(ctx, db, domain.Caller{Actor: actor, Scope: facilitator, Now: now}, plan.ID, review.DecisionInput{Text: "  ", PillarCode: "99", OrganisationID: 999999})
	if !errors.As(err, &ve) || ve.Fields["text"] == "" || ve.Fields["target"] == "" || ve.Fields["organisation"] == "" {
		t.Fatalf("bad input accepted or messages missing: %v", err)
	}
	org, err := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	if err != nil {
		t.Fatal(err)
	}
	due := domain.Date(now.Year()+1, 3, 31)
	d, err := review.CreateDecision(ctx, db, domain.Caller{Actor: actor, Scope: facilitator, Now: now}, plan.ID, review.DecisionInput{Text: "Train provincial shelter staff", ActivityCode: "2.3.3", OrganisationID: org.ID, DueDate: &due})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.CreateDecision(ctx, db, domain.Caller{Actor: actor, Scope: facilitator, Now: now}, plan.ID, review.DecisionInput{Text: "Review the pillar budget", PillarCode: "1"}); err != nil {
		t.Fatal(err)
	}
	rows, err := review.ListDecisions(ctx, db, review.DecisionFilter{PlanID: plan.ID, OrgID: org.ID})
	if err != nil || len(rows) != 1 {
		t.Fatalf("the organisation's decisions: %d (%v)", len(rows), err)
	}
	r := rows[0]
	if r.TargetKind() != review.DecisionOnActivity || r.TargetCode() != "2.3.3" || r.TargetTitle("en") == "" || *r.OrgAcronym != "MOLSW" || r.Overdue(now) {
		t.Errorf("decision row: %+v", r)
	}
	if _, err := review.MarkDecisionDone(ctx, db, domain.Caller{Actor: actor, Scope: facilitator, Now: now}, plan.ID+1, d.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another plan's decision was closed: %v", err)
	}
	if _, err := review.MarkDecisionDone(ctx, db, domain.Caller{Actor: actor, Scope: facilitator, Now: now}, plan.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	open, _ := review.ListDecisions(ctx, db, review.DecisionFilter{PlanID: plan.ID, OpenOnly: true})
	if len(open) != 1 || open[0].TargetKind() != review.DecisionOnPillar {
		t.Errorf("open decisions: %+v", open)
	}
	var audits int64
	db.Model(&domain.AuditEntry{}).Where("action IN ?", []string{"decision.create", "decision.done"}).Count(&audits)
	if audits != 3 {
		t.Errorf("%d audit rows, want 3", audits)
	}
}
