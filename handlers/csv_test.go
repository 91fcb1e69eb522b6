package handlers_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
)

// readCSV checks the byte-order mark and reads the rows of a CSV answer.
func readCSV(t *testing.T, r *apptest.Response) [][]string {
	t.Helper()
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	body, ok := strings.CutPrefix(r.Body, "\uFEFF")
	if !ok {
		t.Fatal("no UTF-8 byte-order mark")
	}
	if !strings.Contains(body, "\r\n") {
		t.Error("lines do not end with CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestFiguresCSVDisclosure: a sensitive count of 1–4 that the secretariat
// sees exactly is "<5" in a donor's CSV, as on the donor's pages; and an
// indicator name that looks like a formula is neutralised.
func TestFiguresCSVDisclosure(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := t.Context()
	donorUser := env.User(t, domain.RoleDonor, "APJP")
	pf, err := reporting.LoadPlanFigures(ctx, env.App.DB, domain.ScopeOf(donorUser), seed.DemoPlanCode, "", "", false, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	code, period := "", ""
	for _, it := range pf.Indicators {
		for _, c := range it.Assessment.Periods {
			if c.Actual.Small && code == "" {
				code, period = it.Indicator.Code, pf.Periods[c.Period].Label
			}
		}
	}
	if code == "" {
		t.Fatal("the demo has no small sensitive count in the default range")
	}
	if err := env.App.DB.Model(&domain.Indicator{}).Where("code = ?", code).Update("name", "=HYPERLINK(\"http://x\")").Error; err != nil {
		t.Fatal(err)
	}
	path := "/plans/" + seed.DemoPlanCode + "/figures.csv"
	actual := func(rows [][]string) string {
		for _, r := range rows[1:] {
			if r[0] == code && r[2] == "" && r[3] == period {
				if r[1] != "'=HYPERLINK(\"http://x\")" {
					t.Errorf("the formula-like name is %q", r[1])
				}
				return r[5]
			}
		}
		t.Fatalf("no row for %s %s", code, period)
		return ""
	}
	sec := actual(readCSV(t, env.SignedIn(t, env.User(t, domain.RoleSecretariat, "")).Get(path)))
	if sec == "" || sec == "<5" {
		t.Fatalf("the secretariat sees %q", sec)
	}
	donor := env.SignedIn(t, donorUser)
	rows := readCSV(t, donor.Get(path))
	if got := actual(rows); got != "<5" {
		t.Errorf("the donor's CSV shows %q for %s %s", got, code, period)
	}
	// No breakdown cell or range of that indicator narrows it down either:
	// each is "<5", withheld or a number the donor's page shows too.
	dash := donor.Get("/plans/" + seed.DemoPlanCode + "/dashboard")
	mustStatus(t, dash, http.StatusOK)
	if !strings.Contains(dash.Body, path) {
		t.Error("the dashboard does not link to the CSV")
	}
	for _, r := range rows[1:] {
		if r[0] == code && r[3] == period && r[5] == sec && sec != "0" {
			t.Errorf("the donor's CSV shows the exact count in %q", r)
		}
	}
}

// TestQueueCSV: the queue's CSV has the page's rows under its filters, and
// a narrative that looks like a formula is neutralised.
func TestQueueCSV(t *testing.T) {
	t.Parallel()
	env, _, sec := newSignedIn(t, domain.RoleSecretariat, "")
	q, err := reporting.LoadQueue(t.Context(), env.App.DB, seed.DemoPlanCode, reporting.QueueFilter{})
	if err != nil || len(q.Items) == 0 {
		t.Fatalf("queue: %v, %d items", err, len(q.Items))
	}
	first := q.Items[0]
	table := "indicator_values"
	if first.Kind == reporting.ItemActivity {
		table = "activity_updates"
	}
	column := "narrative"
	if first.Kind == reporting.ItemActivity {
		column = "achievements"
	}
	if err := env.App.DB.Table(table).Where("id = ?", first.ID).Update(column, "@SUM(1)").Error; err != nil {
		t.Fatal(err)
	}
	page := sec.Get("/plans/" + seed.DemoPlanCode + "/queue?org=" + first.Org)
	mustStatus(t, page, http.StatusOK)
	link := "/plans/" + seed.DemoPlanCode + "/queue.csv?org=" + first.Org
	if !strings.Contains(page.Body, link) {
		t.Fatalf("the queue page does not link to %s", link)
	}
	rows := readCSV(t, sec.Get(link))
	found := false
	for _, r := range rows[1:] {
		if r[4] != first.Org {
			t.Errorf("a row of %s under the filter org=%s", r[4], first.Org)
		}
		if r[1] == first.Code && r[5] == first.Period {
			found = true
			if r[13] != "'@SUM(1)" {
				t.Errorf("the narrative is %q", r[13])
			}
		}
	}
	if !found {
		t.Errorf("no row for %s %s", first.Code, first.Period)
	}
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get(link), http.StatusForbidden)
}

// csvLink finds the address of the page's CSV download ending in name.
func csvLink(t *testing.T, r *apptest.Response, name string) string {
	t.Helper()
	mustStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`href="([^"]*` + regexp.QuoteMeta(name) + `[^"]*)" download`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the page has no CSV link to %s", name)
	}
	return html.UnescapeString(m[1])
}

// TestCompletenessCSV: the completeness page links to its CSV with its
// filters; the CSV has the page's rows (the same counts, from the same
// roll-ups) for that organisation only, then the total; an organisation
// name that looks like a formula is neutralised; the page's other viewers
// are refused.
func TestCompletenessCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := t.Context()
	db := env.App.DB
	plan := mustPlan(t, env)
	all, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now().UTC()
	periods := reporting.DefaultCompletenessPeriods(all, now)
	full, err := reporting.CompletenessFromRollups(ctx, db, *plan, periods, 0, now)
	if err != nil || len(full.Periods) == 0 || len(full.Periods[0].Rows) == 0 {
		t.Fatalf("completeness: %v", err)
	}
	org := full.Periods[0].Rows[0].Organisation
	if err := db.Model(&domain.Organisation{}).Where("id = ?", org.ID).Update("name", "=1+1").Error; err != nil {
		t.Fatal(err)
	}
	want, err := reporting.CompletenessFromRollups(ctx, db, *plan, periods, org.ID, now)
	if err != nil {
		t.Fatal(err)
	}

	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	link := csvLink(t, sec.Get("/plans/"+seed.DemoPlanCode+"/completeness?org="+org.Acronym), "/completeness.csv")
	if !strings.Contains(link, "org="+org.Acronym) || !strings.Contains(link, "period="+periods[0].Label) {
		t.Errorf("the CSV link %q does not carry the page's filters", link)
	}
	rows := readCSV(t, sec.Get(link))
	var got []string
	for _, r := range rows[1:] {
		if r[3] != "" && r[3] != org.Acronym {
			t.Errorf("a row of %s under the filter org=%s", r[3], org.Acronym)
		}
		if r[3] == org.Acronym && r[4] != "'=1+1" {
			t.Errorf("the formula-like name is %q", r[4])
		}
		got = append(got, r[0]+" "+r[3]+" "+strings.Join(r[5:12], ","))
	}
	var exp []string
	for _, pc := range want.Periods {
		for _, r := range pc.Rows {
			n := r.CompletenessCounts
			exp = append(exp, pc.Period.Label+" "+r.Organisation.Acronym+" "+counts(n))
		}
		exp = append(exp, pc.Period.Label+"  "+counts(pc.Total))
	}
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("the CSV's rows:\n%s\nthe page's:\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
	for _, who := range []*domain.User{env.User(t, domain.RoleDonor, "APJP"), env.User(t, domain.RoleFocalPoint, org.Acronym), env.User(t, domain.RoleFacilitator, "")} {
		mustStatus(t, env.SignedIn(t, who).Get(link), http.StatusForbidden)
	}
}

func counts(n reporting.CompletenessCounts) string {
	return strings.Join([]string{strconv.Itoa(n.Expected), strconv.Itoa(n.OnTime), strconv.Itoa(n.Late), strconv.Itoa(n.Missing),
		strconv.Itoa(n.NotDue), strconv.Itoa(n.Returned), strconv.Itoa(n.Approved)}, ",")
}

// TestAuditCSV: the audit page links to the CSV of its filter; the CSV has
// every matching entry (more than a page), newest first, and nothing
// else; a reason that looks like a formula is neutralised; past 10,000
// entries the file says where the rest is, and that address gives it;
// only the page's roles get it.
func TestAuditCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	db := env.App.DB
	const n = account.AuditLogPageSize + 10
	for i := range n {
		if err := domain.Audit(db, domain.Actor{Name: "CSV tester"}, "csvtest.entry", "plan", nil, nil,
			map[string]int{"n": i}, map[string]int{"n": i + 1}, "=cmd|' /C calc'!A0"); err != nil {
			t.Fatal(err)
		}
	}
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	link := csvLink(t, sec.Get("/audit?action=csvtest."), "/audit.csv")
	if link != "/audit.csv?action=csvtest." {
		t.Errorf("the CSV link is %q", link)
	}
	r := sec.Get(link)
	rows := readCSV(t, r)
	if len(rows) != n+1 || r.Header.Get("X-CSV-Truncated") != "" {
		t.Fatalf("%d rows (truncated %q), want the header and %d entries", len(rows), r.Header.Get("X-CSV-Truncated"), n)
	}
	last := int64(1 << 62)
	for _, row := range rows[1:] {
		id, err := strconv.ParseInt(row[0], 10, 64)
		if err != nil || id >= last {
			t.Errorf("row %q is not in order, newest first", row)
		}
		last = id
		if row[5] != "csvtest.entry" || row[11] != "'=cmd|' /C calc'!A0" || row[2] != "CSV tester" {
			t.Errorf("row %q", row)
		}
	}
	for _, who := range []*domain.User{env.User(t, domain.RoleDonor, "APJP"), env.User(t, domain.RoleFocalPoint, "MOLSW"), env.User(t, domain.RoleFacilitator, "")} {
		mustStatus(t, env.SignedIn(t, who).Get(link), http.StatusForbidden)
	}
	mustStatus(t, sec.Get("/audit.csv?from=yesterday"), http.StatusUnprocessableEntity)

	if testing.Short() {
		return
	}
	// The bound: one more entry than a file holds.
	bulk := make([]domain.AuditEntry, 10001)
	at := time.Now().UTC()
	for i := range bulk {
		bulk[i] = domain.AuditEntry{OccurredAt: at, Actor: "bulk", Action: "csvbound.entry", EntityType: "plan", Reason: strconv.Itoa(i)}
	}
	if err := db.CreateInBatches(bulk, 500).Error; err != nil {
		t.Fatal(err)
	}
	r = sec.Get("/audit.csv?action=csvbound.")
	rows = readCSV(t, r)
	if len(rows) != 10002 || r.Header.Get("X-CSV-Truncated") != "true" {
		t.Fatalf("%d rows (truncated %q), want the header, 10,000 entries and the note", len(rows), r.Header.Get("X-CSV-Truncated"))
	}
	note := rows[len(rows)-1][0]
	i := strings.Index(note, "/audit.csv?")
	if i < 0 || rows[len(rows)-2][11] != "1" {
		t.Fatalf("the last rows are %q and %q", rows[len(rows)-2], note)
	}
	rows = readCSV(t, sec.Get(note[i:]))
	if len(rows) != 2 || rows[1][11] != "0" {
		t.Errorf("the rest is %q", rows)
	}
}

// TestDecisionsCSV: the plan page (open decisions) and the organisation
// page (its decisions) link to the CSV of their list; each CSV has that
// list's rows only; a decision text that looks like a formula is
// neutralised; it needs a session.
func TestDecisionsCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db, now := t.Context(), env.App.DB, env.Clock.Now().UTC()
	plan := mustPlan(t, env)
	org, err := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	if err != nil {
		t.Fatal(err)
	}
	fac := env.User(t, domain.RoleFacilitator, "")
	who := domain.Caller{Actor: domain.Actor{UserID: &fac.ID, Name: fac.Name}, Scope: domain.ScopeOf(fac), Now: now}
	mk := func(text string, orgID int64) int64 {
		d, err := review.CreateDecision(ctx, db, who, plan.ID, review.DecisionInput{Text: text, OrganisationID: orgID})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	formula := mk(`=HYPERLINK("http://x","y")`, org.ID)
	done := mk("Train the labour inspectors", org.ID)
	other := mk("Ask the donors for a second round", 0)
	if _, err := review.MarkDecisionDone(ctx, db, who, plan.ID, done); err != nil {
		t.Fatal(err)
	}
	ids := func(rows [][]string) map[string]bool {
		out := map[string]bool{}
		for _, r := range rows[1:] {
			out[r[0]] = true
			if r[0] == strconv.FormatInt(formula, 10) && r[1] != `'=HYPERLINK("http://x","y")` {
				t.Errorf("the formula-like text is %q", r[1])
			}
		}
		return out
	}
	id := func(x int64) string { return strconv.FormatInt(x, 10) }
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))

	link := csvLink(t, donor.Get("/plans/"+seed.DemoPlanCode), "/decisions.csv")
	if link != "/plans/"+seed.DemoPlanCode+"/decisions.csv?open=1" {
		t.Errorf("the plan page's CSV link is %q", link)
	}
	got := ids(readCSV(t, donor.Get(link)))
	if !got[id(formula)] || !got[id(other)] || got[id(done)] {
		t.Errorf("the open decisions' CSV has %v", got)
	}

	link = csvLink(t, donor.Get("/plans/"+seed.DemoPlanCode+"/organisations/MOLSW"), "/decisions.csv")
	if link != "/plans/"+seed.DemoPlanCode+"/decisions.csv?org=MOLSW" {
		t.Errorf("the organisation page's CSV link is %q", link)
	}
	got = ids(readCSV(t, donor.Get(link)))
	if !got[id(formula)] || !got[id(done)] || got[id(other)] {
		t.Errorf("MOLSW's decisions' CSV has %v", got)
	}

	mustStatus(t, donor.Get("/plans/"+seed.DemoPlanCode+"/decisions.csv?org=NOSUCH"), http.StatusNotFound)
	if r := env.Client(t).Get(link); r.StatusCode == http.StatusOK {
		t.Error("the CSV is served without a session")
	}
}

// TestFiguresCSVRatingWord: the rating column is the word the pages show,
// in the reader's language, with the code beside it; a donor's row for a
// small sensitive count carries no progress and no band word that would
// bound it.
func TestFiguresCSVRatingWord(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fr := localizer(t, "fr")
	path := "/plans/" + seed.DemoPlanCode + "/figures.csv"
	for _, role := range []string{domain.RoleSecretariat, domain.RoleDonor} {
		org := ""
		if role == domain.RoleDonor {
			org = "APJP"
		}
		c := env.SignedIn(t, env.User(t, role, org))
		c.Header.Set("Accept-Language", "fr")
		rows := readCSV(t, c.Get(path))
		if rows[0][8] != fr.T("csv.col.rating") || rows[0][10] != fr.T("csv.col.rating_code") {
			t.Fatalf("the header is %q", rows[0])
		}
		rated, small := 0, 0
		for _, r := range rows[1:] {
			if r[10] == "" {
				if r[8] != "" {
					t.Errorf("a rating word without a code: %q", r)
				}
				continue
			}
			rated++
			if r[8] != fr.T("report.rag."+r[10]) {
				t.Errorf("%s: the rating %q for the code %q", role, r[8], r[10])
			}
			if r[5] == "<5" {
				small++
				if role != domain.RoleDonor {
					t.Errorf("the secretariat's CSV shows <5: %q", r)
				}
				if r[7] != "" || r[10] == figures.OnTrack || r[10] == figures.Behind || r[10] == figures.OffTrack {
					t.Errorf("the donor's row for a small count rates it: %q", r)
				}
			}
		}
		if rated == 0 || role == domain.RoleDonor && small == 0 {
			t.Errorf("%s: %d rated rows, %d small counts", role, rated, small)
		}
	}
}
