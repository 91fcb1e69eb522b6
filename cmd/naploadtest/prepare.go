package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/store"
)

// Config is what prepare writes and run reads: where to load, and the
// accounts to load with. It holds a password and API tokens: the file is
// written readable by its owner only.
type Config struct {
	Plan   string `json:"plan"`
	Period string `json:"period"`
	// Indicator is the indicator whose page the indicator scenario reads.
	Indicator   string   `json:"indicator"`
	Facilitator Account  `json:"facilitator"`
	Writers     []Writer `json:"writers"`
}

// Account is a user who signs in with a password.
type Account struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Writer is a focal point who saves values through the API, on the
// indicators its organisation reports (number indicators without a
// breakdown). Writers of the same organisation share its indicators.
type Writer struct {
	Email      string   `json:"email"`
	Org        string   `json:"org"`
	Token      string   `json:"token"`
	Indicators []string `json:"indicators"`
}

func cmdPrepare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.ConfigFromEnv(os.Getenv)
	fs := flag.NewFlagSet("naploadtest prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterFlags(fs)
	var planCode, out string
	var writers int
	fs.StringVar(&planCode, "plan", "", "code of the plan to load (required)")
	fs.IntVar(&writers, "writers", 8, "focal points writing values at once")
	fs.StringVar(&out, "o", "loadtest.json", "file to write the accounts and targets to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if planCode == "" || writers < 0 {
		return fmt.Errorf("prepare: --plan is required and --writers may not be negative")
	}
	db, err := store.Open(cfg.DSN(), nil)
	if err != nil {
		return err
	}
	if s, err := db.DB(); err == nil {
		defer s.Close()
	}
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return fmt.Errorf("plan %q: %w", planCode, err)
	}
	now := time.Now().UTC()
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		return err
	}
	// The latest period open for reporting, else the latest overdue one.
	var period *domain.ReportingPeriod
	for _, want := range []string{domain.PeriodOpen, domain.PeriodOverdue} {
		for i := len(periods) - 1; i >= 0 && period == nil; i-- {
			if periods[i].State(now, nil) == want {
				period = &periods[i]
			}
		}
	}
	if period == nil {
		// The pages can still be loaded; nobody can write.
		fmt.Fprintf(stderr, "plan %s has no period open for reporting now: no focal points created, the values scenario will not run\n", plan.Code)
		writers = 0
	}
	var inds []domain.Indicator
	if err := db.WithContext(ctx).Select("code", "reporting_org_id").
		Where("plan_id = ? AND archived_at IS NULL AND unit_type = ? AND disaggregation_set_id IS NULL", plan.ID, domain.UnitNumber).
		Order("id").Find(&inds).Error; err != nil {
		return err
	}
	if len(inds) == 0 {
		return fmt.Errorf("plan %s has no number indicator without a breakdown to write", plan.Code)
	}
	byOrg := map[int64][]string{}
	for _, ind := range inds {
		byOrg[ind.ReportingOrgID] = append(byOrg[ind.ReportingOrgID], ind.Code)
	}
	orgIDs := make([]int64, 0, len(byOrg))
	for id := range byOrg {
		orgIDs = append(orgIDs, id)
	}
	// The organisations with the most indicators first.
	sort.Slice(orgIDs, func(i, j int) bool {
		if a, b := len(byOrg[orgIDs[i]]), len(byOrg[orgIDs[j]]); a != b {
			return a > b
		}
		return orgIDs[i] < orgIDs[j]
	})
	var orgs []domain.Organisation
	if err := db.WithContext(ctx).Where("id IN ?", orgIDs).Find(&orgs).Error; err != nil {
		return err
	}
	acronym := map[int64]string{}
	for _, o := range orgs {
		acronym[o.ID] = o.Acronym
	}

	run := now.Format("20060102-150405")
	actor := domain.Actor{Name: "naploadtest"}
	c := Config{Plan: plan.Code, Indicator: inds[0].Code}
	if period != nil {
		c.Period = period.Label
	}
	c.Facilitator = Account{Email: "loadtest-" + run + "-facilitator@example.org", Password: account.NewSecret()}
	u := domain.User{Email: c.Facilitator.Email, Name: "Load test facilitator", Role: domain.RoleFacilitator}
	if err := account.CreateUser(ctx, db, actor, &u, c.Facilitator.Password); err != nil {
		return fmt.Errorf("create the facilitator: %w", err)
	}
	for i := range writers {
		orgID := orgIDs[i%len(orgIDs)]
		w := Writer{Email: fmt.Sprintf("loadtest-%s-fp%d@example.org", run, i+1), Org: acronym[orgID], Indicators: byOrg[orgID]}
		u := domain.User{Email: w.Email, Name: fmt.Sprintf("Load test focal point %d", i+1), Role: domain.RoleFocalPoint, OrganisationID: &orgID}
		if err := account.CreateUser(ctx, db, actor, &u, account.NewSecret()); err != nil {
			return fmt.Errorf("create focal point %s: %w", w.Email, err)
		}
		if w.Token, _, err = account.CreateAPIToken(ctx, db, domain.Caller{Actor: actor, Now: now}, &u, "load test", nil); err != nil {
			return fmt.Errorf("create a token for %s: %w", w.Email, err)
		}
		c.Writers = append(c.Writers, w)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(b, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: plan %s, period %q, a facilitator and %d focal point(s) over %d organisation(s)\n",
		out, c.Plan, c.Period, writers, min(writers, len(orgIDs)))
	return nil
}
