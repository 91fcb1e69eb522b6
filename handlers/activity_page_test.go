package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planning"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// pageSection returns the HTML of the page's section of the given class.
func pageSection(t *testing.T, body, class string) string {
	t.Helper()
	i := strings.Index(body, `class="`+class+`"`)
	if i < 0 {
		t.Fatalf("no section %s", class)
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

// fundRowRe reads a row of the Funds table: the activity code and this
// funder's pledged, committed and disbursed amounts.
var fundRowRe = regexp.MustCompile(`(?s)<td class="code"><a href="/plans/[^/]+/activities/([^"]+)">[^<]+</a></td>.*?` +
	`<td class="num fund-pledged">([^<]*)</td>\s*<td class="num fund-committed">([^<]*)</td>\s*<td class="num fund-disbursed">([^<]*)</td>`)

// TestFunderOrganisationPage: the APJP donor's organisation page lists
// exactly the activities APJP funds in the demo plan, with the pledged,
// committed and disbursed sums computed here from the funding lines
// (pledged counting committed and disbursed lines, committed counting
// disbursed ones), totals per currency, approved statuses only, and links
// to the workbook and IATI file filtered to APJP that answer.
func TestFunderOrganisationPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db := context.Background(), env.App.DB
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	plan := mustPlan(t, env)
	apjp, err := planning.FindOrganisationByAcronym(ctx, db, "APJP")
	if err != nil {
		t.Fatal(err)
	}
	base := "/plans/" + plan.Code

	type sums struct{ pledged, committed, disbursed float64 }
	var lines []struct {
		Code     string
		Amount   float64
		Currency string
		Status   string
	}
	err = db.Raw(`SELECT a.code, f.amount, f.currency, f.status FROM funding_lines f
JOIN activities a ON a.id = f.activity_id JOIN objectives o ON o.id = a.objective_id JOIN pillars p ON p.id = o.pillar_id
WHERE f.funder_id = ? AND a.plan_id = ? AND a.archived_at IS NULL AND o.archived_at IS NULL AND p.archived_at IS NULL`, apjp.ID, plan.ID).Scan(&lines).Error
	if err != nil {
		t.Fatal(err)
	}
	want, total := map[string]*sums{}, map[string]*sums{}
	for _, l := range lines {
		if want[l.Code] == nil {
			want[l.Code] = &sums{}
		}
		if total[l.Currency] == nil {
			total[l.Currency] = &sums{}
		}
		for _, s := range []*sums{want[l.Code], total[l.Currency]} {
			switch l.Status {
			case domain.FundingDisbursed:
				s.disbursed += l.Amount
				fallthrough
			case domain.FundingCommitted:
				s.committed += l.Amount
				fallthrough
			default:
				s.pledged += l.Amount
			}
		}
	}
	if len(want) < 3 || len(total) != 1 {
		t.Fatalf("APJP funds %d activities in %d currencies in the demo plan: the comparison proves little", len(want), len(total))
	}

	r := donor.Get(base + "/organisations/APJP")
	mustStatus(t, r, http.StatusOK)
	funds := pageSection(t, r.Body, "org-funds")
	L := localizer(t, "en")
	got := map[string]bool{}
	for _, m := range fundRowRe.FindAllStringSubmatch(funds, -1) {
		code := m[1]
		got[code] = true
		w := want[code]
		if w == nil {
			t.Errorf("the page lists %s, which APJP does not fund", code)
			continue
		}
		cur := lines[0].Currency
		if m[2] != L.Money(w.pledged, cur) || m[3] != L.Money(w.committed, cur) || m[4] != L.Money(w.disbursed, cur) {
			t.Errorf("%s: pledged/committed/disbursed %s / %s / %s, want %s / %s / %s", code, m[2], m[3], m[4],
				L.Money(w.pledged, cur), L.Money(w.committed, cur), L.Money(w.disbursed, cur))
		}
	}
	for code := range want {
		if !got[code] {
			t.Errorf("the page does not list %s, which APJP funds", code)
		}
	}
	body := funds[strings.Index(funds, "<tbody>"):strings.Index(funds, "</tbody>")]
	if n := strings.Count(body, "<tr>"); n != len(want) {
		t.Errorf("the Funds table has %d rows, APJP funds %d activities", n, len(want))
	}
	for cur, s := range total {
		row := fmt.Sprintf(`%s</th>
    <td class="num">%s</td>
    <td class="num">%s</td>
    <td class="num">%s</td>`, L.T("pages.org.funds_total", cur), L.Money(s.pledged, cur), L.Money(s.committed, cur), L.Money(s.disbursed, cur))
		if !strings.Contains(funds, row) {
			t.Errorf("no total row %q in\n%s", row, funds)
		}
	}
	if !strings.Contains(r.Body, L.N("pages.org.count_funds", len(want))) {
		t.Errorf("the summary does not say %q", L.N("pages.org.count_funds", len(want)))
	}
	for _, leak := range []string{"tag-unapproved", "status-draft", "status-submitted", "status-returned"} {
		if strings.Contains(funds, leak) {
			t.Errorf("the donor's Funds section shows %q", leak)
		}
	}
	// The latest status shown is the latest approved update of each activity.
	var approved []struct {
		Code  string
		Label string
	}
	db.Raw(`SELECT a.code, p.label FROM activity_updates u JOIN activities a ON a.id = u.activity_id
JOIN reporting_periods p ON p.id = u.period_id WHERE u.status = ? AND a.id IN (SELECT activity_id FROM funding_lines WHERE funder_id = ?)
ORDER BY p.start_date`, domain.StatusApproved, apjp.ID).Scan(&approved)
	latest := map[string]string{}
	for _, a := range approved {
		latest[a.Code] = a.Label
	}
	for code, label := range latest {
		if want[code] == nil {
			continue
		}
		i := strings.Index(funds, `/activities/`+code+`">`+code+`</a>`)
		row := funds[i:]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, " · "+label) {
			t.Errorf("%s: the latest approved update is of %s; the row shows %q", code, label, row)
		}
	}
	for _, link := range []string{base + "/report.xlsx?funder=APJP", base + "/iati.xml?funder=APJP"} {
		if !strings.Contains(funds, `href="`+link+`"`) {
			t.Errorf("no link to %s", link)
			continue
		}
		mustStatus(t, donor.Get(link), http.StatusOK)
	}
	// A ministry is no funder: no Funds section.
	if strings.Contains(donor.Get(base+"/organisations/MOLSW").Body, `class="org-funds"`) {
		t.Error("a ministry's page has a Funds section")
	}
}

// TestActivityPage: the activity page of 1.3.1 (lead NSC-TIP, supported by
// MOPS, OSPP and MOLSW, funded by MSMF and APJP) shows its place in the plan,
// its organisations with links, its funding lines, its indicators with the
// indicator page's current rating, and its updates newest first; an
// unapproved update and its note are seen by the lead's focal point and
// the secretariat, not by the donor; a supporting organisation sees its
// own note; unknown and archived activities are not found.
func TestActivityPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db, now := context.Background(), env.App.DB, env.Clock.Now().UTC()
	plan := mustPlan(t, env)
	base := "/plans/" + plan.Code
	const code = "1.3.1"
	path := base + "/activities/" + code
	var act domain.Activity
	if err := db.Where("plan_id = ? AND code = ?", plan.ID, code).Take(&act).Error; err != nil {
		t.Fatal(err)
	}
	donorU, secU := env.User(t, domain.RoleDonor, "APJP"), env.User(t, domain.RoleSecretariat, "")
	leadU, supU := env.User(t, domain.RoleFocalPoint, "NSC-TIP"), env.User(t, domain.RoleFocalPoint, "MOLSW")
	donor, sec, lead, sup := env.SignedIn(t, donorU), env.SignedIn(t, secU), env.SignedIn(t, leadU), env.SignedIn(t, supU)

	// The activity's latest update is made unapproved, with a note of MOLSW.
	var upd domain.ActivityUpdate
	if err := db.Joins("JOIN reporting_periods ON reporting_periods.id = activity_updates.period_id").
		Where("activity_id = ?", act.ID).Order("reporting_periods.start_date DESC").Take(&upd).Error; err != nil {
		t.Fatal(err)
	}
	const secret, note = "Draft achievement not yet validated", "MOLSW social workers trained the database users"
	if err := db.Model(&upd).Updates(map[string]any{"status": domain.StatusSubmitted, "achievements": secret, "approved_at": nil,
		"approved_by_id": nil, "submitted_at": now}).Error; err != nil {
		t.Fatal(err)
	}
	molsw, _ := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	db.Where("activity_id = ? AND period_id = ? AND organisation_id = ?", act.ID, upd.PeriodID, molsw.ID).Delete(&domain.ContributionNote{})
	if err := db.Create(&domain.ContributionNote{ActivityID: act.ID, PeriodID: upd.PeriodID, OrganisationID: molsw.ID, Note: note, Version: 1, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	var period domain.ReportingPeriod
	db.Take(&period, upd.PeriodID)

	var updates []struct {
		Label  string
		Status string
	}
	db.Raw(`SELECT p.label, u.status FROM activity_updates u JOIN reporting_periods p ON p.id = u.period_id
WHERE u.activity_id = ? ORDER BY p.start_date DESC`, act.ID).Scan(&updates)
	var inds []domain.Indicator
	db.Where("activity_id = ? AND archived_at IS NULL", act.ID).Order("position, code").Find(&inds)
	var lines []domain.FundingLine
	db.Where("activity_id = ?", act.ID).Find(&lines)
	if len(updates) < 3 || len(inds) == 0 || len(lines) < 2 {
		t.Fatalf("activity %s: %d updates, %d indicators, %d funding lines: the test proves little", code, len(updates), len(inds), len(lines))
	}
	var molswNotes []string
	db.Raw(`SELECT p.label FROM contribution_notes n JOIN reporting_periods p ON p.id = n.period_id
WHERE n.activity_id = ? AND n.organisation_id = ?`, act.ID, molsw.ID).Scan(&molswNotes)
	L := localizer(t, "en")

	for _, rd := range []struct {
		name       string
		c          *apptest.Client
		user       *domain.User
		sees       bool // the unapproved update
		seesNote   bool
		restricted bool
	}{
		{"secretariat", sec, secU, true, true, false},
		{"lead focal point", lead, leadU, true, true, false},
		{"donor", donor, donorU, false, false, true},
		{"supporting focal point", sup, supU, false, true, true},
	} {
		r := rd.c.Get(path)
		mustStatus(t, r, http.StatusOK)
		b := r.Body
		for _, want := range []string{
			`<a href="` + base + `#p-1">`, `<a href="` + base + `#h-o-1.3">`,
			`href="` + base + `/organisations/NSC-TIP"`, `href="` + base + `/organisations/MOPS"`,
			`href="` + base + `/organisations/OSPP"`, `href="` + base + `/organisations/MOLSW"`,
			L.Money(act.Budget, act.Currency), L.Date(act.StartDate), L.Date(act.EndDate),
		} {
			if !strings.Contains(b, want) {
				t.Errorf("%s: the page lacks %q", rd.name, want)
			}
		}
		fund := pageSection(t, b, "act-funding")
		for _, l := range lines {
			o := domain.Organisation{}
			db.Take(&o, l.FunderID)
			if !strings.Contains(fund, `/organisations/`+o.Acronym+`"`) || !strings.Contains(fund, L.Money(l.Amount, l.Currency)) ||
				!strings.Contains(fund, L.T("funding."+l.Status)) {
				t.Errorf("%s: the funding lacks %s's line of %s", rd.name, o.Acronym, L.Money(l.Amount, l.Currency))
			}
		}
		is := pageSection(t, b, "act-indicators")
		for _, ind := range inds {
			ip, err := review.LoadIndicatorPage(ctx, db, domain.ScopeOf(rd.user), plan.Code, ind.Code, now)
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(is, `/indicators/`+ind.Code+`">`+ind.Code+`</a>`)
			if i < 0 {
				t.Errorf("%s: indicator %s is not listed", rd.name, ind.Code)
				continue
			}
			row := is[i:]
			row = row[:strings.Index(row, "</tr>")]
			if !strings.Contains(row, `<span class="rag rag-`+ip.Current+`">`+L.T("report.rag."+ip.Current)+`</span>`) {
				t.Errorf("%s: indicator %s is not rated %s as on its page: %s", rd.name, ind.Code, ip.Current, row)
			}
		}
		us := pageSection(t, b, "act-updates")
		shown := regexp.MustCompile(`<article class="act-update" id="u-([^"]+)"`).FindAllStringSubmatch(us, -1)
		var labels []string
		for _, u := range updates {
			if u.Status == domain.StatusApproved || rd.sees {
				labels = append(labels, u.Label)
			}
		}
		if rd.seesNote && !rd.sees { // and the periods of its own notes
			labels = labels[:0]
			for _, u := range updates {
				if u.Status == domain.StatusApproved || slices.Contains(molswNotes, u.Label) {
					labels = append(labels, u.Label)
				}
			}
		}
		var gotLabels []string
		for _, m := range shown {
			gotLabels = append(gotLabels, m[1])
		}
		if strings.Join(gotLabels, ",") != strings.Join(labels, ",") {
			t.Errorf("%s: updates shown %v, want %v (newest first)", rd.name, gotLabels, labels)
		}
		if strings.Contains(b, secret) != rd.sees {
			t.Errorf("%s: sees the unapproved update: %v, want %v", rd.name, !rd.sees, rd.sees)
		}
		if strings.Contains(b, note) != rd.seesNote {
			t.Errorf("%s: sees MOLSW's note on the unapproved update: %v, want %v", rd.name, !rd.seesNote, rd.seesNote)
		}
		if strings.Contains(b, L.T("pages.approved_only")) != rd.restricted {
			t.Errorf("%s: the page does not say which data it shows", rd.name)
		}
		if rd.restricted && strings.Contains(us, "tag-unapproved") {
			t.Errorf("%s: an unapproved status is shown", rd.name)
		}
	}

	// Approved notes are shown with their approved update, but not once
	// changed after the approval.
	var ap domain.ActivityUpdate
	if err := db.Where("activity_id = ? AND status = ? AND approved_at IS NOT NULL", act.ID, domain.StatusApproved).Order("id").Take(&ap).Error; err != nil {
		t.Fatal(err)
	}
	db.Where("activity_id = ? AND period_id = ?", act.ID, ap.PeriodID).Delete(&domain.ContributionNote{})
	const before, after = "Note written before the approval", "Note changed after the approval"
	mops, _ := planning.FindOrganisationByAcronym(ctx, db, "MOPS")
	ospp, _ := planning.FindOrganisationByAcronym(ctx, db, "OSPP")
	db.Create(&domain.ContributionNote{ActivityID: act.ID, PeriodID: ap.PeriodID, OrganisationID: mops.ID, Note: before, Version: 1, CreatedAt: ap.ApprovedAt.Add(-time.Hour), UpdatedAt: ap.ApprovedAt.Add(-time.Hour)})
	db.Create(&domain.ContributionNote{ActivityID: act.ID, PeriodID: ap.PeriodID, OrganisationID: ospp.ID, Note: after, Version: 2, CreatedAt: ap.ApprovedAt.Add(-time.Hour), UpdatedAt: ap.ApprovedAt.Add(time.Hour)})
	if d := donor.Get(path).Body; !strings.Contains(d, before) || strings.Contains(d, after) {
		t.Errorf("donor: note before approval shown %v (want true), changed after shown %v (want false)", strings.Contains(d, before), strings.Contains(d, after))
	}
	if s := sec.Get(path).Body; !strings.Contains(s, before) || !strings.Contains(s, after) {
		t.Error("the secretariat does not see every note")
	}

	// The organisation pages and the plan page link to the activity page.
	if !strings.Contains(lead.Get(base+"/organisations/NSC-TIP").Body, `href="`+path+`"`) {
		t.Error("the lead's organisation page does not link to the activity page")
	}
	if !strings.Contains(sec.Get(base).Body, `href="`+path+`"`) {
		t.Error("the plan page does not link to the activity page")
	}
	if !strings.Contains(lead.Get(path).Body, `href="`+path+`/updates/`+period.Label+`"`) {
		t.Error("the lead's focal point has no link to the update form")
	}
	if strings.Contains(donor.Get(path).Body, `/updates/`) {
		t.Error("the donor is offered the update form")
	}

	mustStatus(t, donor.Get(base+"/activities/9.9.9"), http.StatusNotFound)
	mustStatus(t, donor.Get("/plans/NOPE/activities/"+code), http.StatusNotFound)
	if err := db.Model(&act).Update("archived_at", now).Error; err != nil {
		t.Fatal(err)
	}
	mustStatus(t, sec.Get(path), http.StatusNotFound)
}

// TestActivityAndFunderPageQueriesDoNotGrow: the activity page and a
// funder's organisation page cost the same number of queries on the demo
// plan and on a synthetic plan many times larger.
func TestActivityAndFunderPageQueriesDoNotGrow(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	db := env.App.DB
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	counter := storetest.CountQueries(db)
	count := func(path, want string) int64 {
		donor.Get(path)
		counter.Reset()
		r := donor.Get(path)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, want) {
			t.Fatalf("%s lacks %q", path, want)
		}
		return counter.N()
	}
	// The synthetic activity with the most indicators and updates.
	var busiest string
	db.Raw(`SELECT a.code FROM activities a JOIN plans p ON p.id = a.plan_id WHERE p.code = 'BIG'
ORDER BY (SELECT COUNT(*) FROM activity_updates u WHERE u.activity_id = a.id) DESC,
 (SELECT COUNT(*) FROM funding_lines f WHERE f.activity_id = a.id) DESC, a.code LIMIT 1`).Row().Scan(&busiest)
	var funded []string
	db.Raw(`SELECT a.code FROM activities a JOIN plans p ON p.id = a.plan_id JOIN organisations o ON o.acronym = 'APJP'
WHERE p.code = 'BIG' AND a.id IN (SELECT activity_id FROM funding_lines WHERE funder_id = o.id)`).Scan(&funded)
	sort.Strings(funded)
	if len(funded) < 20 {
		t.Fatalf("APJP funds %d activities of the large plan", len(funded))
	}
	for _, pair := range [][2]string{
		{"/plans/" + seed.DemoPlanCode + "/activities/1.3.1", "/plans/BIG/activities/" + busiest},
		{"/plans/" + seed.DemoPlanCode + "/organisations/APJP", "/plans/BIG/organisations/APJP"},
	} {
		demo, big := count(pair[0], `/activities/`), count(pair[1], `/activities/`)
		t.Logf("%s: %d queries; %s: %d", pair[0], demo, pair[1], big)
		if demo != big || demo > 30 {
			t.Errorf("%s: %d queries, %s: %d", pair[0], demo, pair[1], big)
		}
	}
}

// localizer is the translator for lang, to write what the pages should show.
func localizer(t *testing.T, lang string) *i18n.Localizer {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b.For(lang)
}
