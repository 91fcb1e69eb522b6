package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// currentRatings reads each indicator's current rating over a range from
// the figures API, as a donor sees it.
func currentRatings(t *testing.T, c *apptest.Client, from, to string) map[string]string {
	t.Helper()
	body := decode[struct {
		Indicators []struct{ Code, Rating string } `json:"indicators"`
	}](t, c.Get("/api/v1/plans/"+seed.DemoPlanCode+"/figures?from="+from+"&to="+to))
	out := map[string]string{}
	for _, i := range body.Indicators {
		out[i.Code] = i.Rating
	}
	return out
}

var reviewRowRe = regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/plans/[^/]+/indicators/([^"]+)">`)

// TestSinceTheLastReview takes a review snapshot, approves values, records
// and closes decisions, and checks that the dashboard panel and the
// workbook sheet "Since the last review" list exactly what changed: the
// indicators whose rating moved (as the figures API rates them before and
// after), the approvals made, the decisions done and overdue. A second
// snapshot then becomes the default, with nothing to list.
func TestSinceTheLastReview(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db := context.Background(), env.App.DB
	now := env.Clock.Now().UTC()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	secUser := env.User(t, domain.RoleSecretariat, "")
	sec := env.APIClient(t, secUser)
	donorUser := env.User(t, domain.RoleDonor, "APJP")
	donor := env.APIClient(t, donorUser)
	who := domain.Caller{Actor: domain.Actor{UserID: &secUser.ID, Name: secUser.Email}, Scope: domain.ScopeOf(secUser), Now: now}
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	rng, err := planning.ResolveRange(periods, "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	from, to := rng.First().Label, rng.Last().Label
	before := currentRatings(t, donor, from, to)
	if _, err := review.CreateSnapshot(ctx, db, who, seed.DemoPlanCode, review.SnapshotInput{Name: "Mid-year review", From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	// Two approvals a second apart from the snapshot.
	env.Clock.Advance(time.Minute)
	var submitted []struct {
		Code, Label string
		Version     int
	}
	if err := db.Table("indicator_values v").Select("i.code, p.label, v.version").
		Joins("JOIN indicators i ON i.id = v.indicator_id").Joins("JOIN reporting_periods p ON p.id = v.period_id").
		Where("i.plan_id = ? AND v.status = ? AND v.value IS NOT NULL AND i.archived_at IS NULL", plan.ID, domain.StatusSubmitted).
		Order("p.start_date DESC, i.code").Limit(6).Scan(&submitted).Error; err != nil {
		t.Fatal(err)
	}
	if len(submitted) < 3 {
		t.Fatalf("the demo has %d submitted values", len(submitted))
	}
	var approved []string
	for _, s := range submitted {
		r := sec.JSON(http.MethodPost, fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s/approve", seed.DemoPlanCode, s.Code, s.Label), fmt.Sprintf(`{"version":%d}`, s.Version))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("approve %s %s: %d %s", s.Code, s.Label, r.StatusCode, r.Body)
		}
		approved = append(approved, s.Code+" "+s.Label)
	}
	past := now.AddDate(0, 0, -3)
	who.Now = env.Clock.Now().UTC()
	overdue, err := review.CreateDecision(ctx, db, who, plan.ID, review.DecisionInput{Text: "Send the shelter figures to the secretariat", DueDate: &past})
	if err != nil {
		t.Fatal(err)
	}
	done, err := review.CreateDecision(ctx, db, who, plan.ID, review.DecisionInput{Text: "Agree the referral form"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.MarkDecisionDone(ctx, db, who, plan.ID, done.ID); err != nil {
		t.Fatal(err)
	}
	after := currentRatings(t, donor, from, to)
	var moved []string
	for code, r := range after {
		if b, ok := before[code]; ok && b != r {
			moved = append(moved, code)
		}
	}
	slices.Sort(moved)
	t.Logf("approved %v; moved %v", approved, moved)

	// The dashboard panel.
	page := env.SignedIn(t, donorUser).Get("/plans/" + seed.DemoPlanCode + "/dashboard")
	mustStatus(t, page, http.StatusOK)
	at := strings.Index(page.Body, `class="dash-review"`)
	if at < 0 {
		t.Fatal("the dashboard has no since-the-last-review panel")
	}
	panel := page.Body[at : at+strings.Index(page.Body[at:], "</section>")]
	var listed []string
	for _, m := range reviewRowRe.FindAllStringSubmatch(panel, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(listed, moved) {
		t.Errorf("the panel lists rating changes of %v, the figures moved %v", listed, moved)
	}
	for _, want := range []string{"Mid-year review", fmt.Sprintf("%d approvals", len(approved)), "1 decision overdue", "1 decision done", overdue.Text, "Agree the referral form"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the panel does not say %q:\n%s", want, panel)
		}
	}

	// The presentation's last slide.
	deck := env.SignedIn(t, donorUser).Get("/plans/" + seed.DemoPlanCode + "/present")
	mustStatus(t, deck, http.StatusOK)
	at = strings.Index(deck.Body, `class="slide slide-review"`)
	if at < 0 {
		t.Fatal("the presentation has no since-the-last-review slide")
	}
	slide := deck.Body[at : at+strings.Index(deck.Body[at:], "</section>")]
	movedOnSlide := 0
	for _, m := range regexp.MustCompile(`(\d+) indicators? moved from`).FindAllStringSubmatch(slide, -1) {
		n, _ := strconv.Atoi(m[1])
		movedOnSlide += n
	}
	if movedOnSlide != len(moved) || !strings.Contains(slide, fmt.Sprintf("%d approvals", len(approved))) ||
		!strings.Contains(slide, "1 decision overdue") || !strings.Contains(slide, overdue.Text) || !strings.Contains(slide, "1 decision done") {
		t.Errorf("the slide says %d moved (want %d):\n%s", movedOnSlide, len(moved), slide)
	}

	// The workbook sheet.
	wb := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/reports/workshop.xlsx?lang=en")
	f := checkWorkbook(t, wb)
	rows, err := f.GetRows("Since last review", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var sheetMoved, sheetApproved []string
	decisions := map[string]string{}
	for _, r := range rows[3:] {
		if len(r) < 2 {
			continue
		}
		switch r[0] {
		case "Rating changed":
			sheetMoved = append(sheetMoved, r[1])
		case "Value approved":
			sheetApproved = append(sheetApproved, r[1]+" "+r[4])
		case "Decision overdue", "Decision done":
			decisions[r[0]] = r[2]
		}
	}
	slices.Sort(sheetMoved)
	slices.Sort(sheetApproved)
	slices.Sort(approved)
	if !slices.Equal(sheetMoved, moved) {
		t.Errorf("the sheet lists rating changes of %v, the figures moved %v", sheetMoved, moved)
	}
	if !slices.Equal(sheetApproved, approved) {
		t.Errorf("the sheet lists approvals %v, made %v", sheetApproved, approved)
	}
	if decisions["Decision overdue"] != overdue.Text || decisions["Decision done"] != "Agree the referral form" {
		t.Errorf("the sheet's decisions: %v", decisions)
	}

	// A newer snapshot is the default comparison: nothing moved since.
	env.Clock.Advance(time.Minute)
	who.Now = env.Clock.Now().UTC()
	if _, err := review.CreateSnapshot(ctx, db, who, seed.DemoPlanCode, review.SnapshotInput{Name: "Year-end review", From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	page = env.SignedIn(t, donorUser).Get("/plans/" + seed.DemoPlanCode + "/dashboard")
	at = strings.Index(page.Body, `class="dash-review"`)
	panel = page.Body[at : at+strings.Index(page.Body[at:], "</section>")]
	if !strings.Contains(panel, "Year-end review") || !strings.Contains(panel, "0 indicators changed rating") || !strings.Contains(panel, "0 approvals") ||
		reviewRowRe.MatchString(panel) {
		t.Errorf("against the newest snapshot the panel should list nothing:\n%s", panel)
	}
}
