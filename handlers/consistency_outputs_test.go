package handlers_test

import (
	"context"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/review"
)

// The outputs shown in a browser — the indicator page, the dashboard and
// the slides — compared with the figures API for TestFiguresAgreeAcrossOutputs
// (consistency_test.go).

// ---------------------------------------------------------------------------
// The indicator page.

var (
	consRatingRe = regexp.MustCompile(`<p class="ind-rating">[^<]*<span class="rag rag-([a-z_]+)">([^<]*)</span>`)
	consFootRe   = regexp.MustCompile(`(?s)<tfoot>\s*<tr[^>]*>\s*<th scope="row">([^<]+)</th>\s*<td class="num">([^<]*)</td>\s*<td class="num">(.*?)</td>\s*<td class="num">([^<]*)</td>\s*<td><span class="rag rag-([a-z_]+)">`)
)

// consPageRow is how the indicator page must show an API cell.
func consPageRow(L *i18n.Localizer, unit string, c consCell) shownRow {
	num := func(x *float64) string {
		switch {
		case x == nil:
			return "–"
		case unit == domain.UnitYesNo || unit == domain.UnitMilestone:
			if *x >= 1 {
				return L.T("pages.yes")
			}
			return L.T("pages.no")
		}
		return L.Num(x)
	}
	r := shownRow{target: num(c.Target), actual: num(c.Actual), pct: "–", rag: c.Rating}
	switch {
	case c.Small:
		r.actual = "<5"
	case c.Suppressed:
		r.actual = L.T("pages.withheld")
	}
	switch {
	case c.Progress != nil:
		r.pct = L.Pct(*c.Progress)
	case c.Suppressed:
		r.pct = L.T("pages.withheld")
	}
	if c.Unapproved {
		r.actual += " " + L.T("pages.unapproved")
	}
	return r
}

func consCheckIndicatorPages(t *testing.T, L *i18n.Localizer, a consAudience, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	pages := 0
	for _, ind := range p.inds {
		fig := figs[ind.code]
		if fig == nil {
			continue
		}
		pages++
		r := a.web.Get("/plans/" + p.code + "/indicators/" + url.PathEscape(ind.code))
		mustStatus(t, r, http.StatusOK)
		rows := periodRows(t, r.Body)
		tally.check("page rows", len(rows) == len(fig.Periods), "%s: the page has %d period rows, the API %d", ind.code, len(rows), len(fig.Periods))
		for _, c := range fig.Periods {
			got, ok := rows[c.Period]
			want := consPageRow(L, ind.unit, c)
			tally.check("page rows", ok && got == want, "%s %s: page shows %+v, API %v (shown as %+v)", ind.code, c.Period, got, c, want)
		}
		got := rows[fig.RatedPeriod]
		want := consPageRow(L, ind.unit, fig.Current)
		m := consRatingRe.FindStringSubmatch(r.Body)
		ok := m != nil && m[1] == fig.Rating && html.UnescapeString(m[2]) == L.T("report.rag."+fig.Rating) && got == want
		shown := "none"
		if m != nil {
			shown = m[1] + " " + m[2]
		}
		tally.check("page current", ok, "%s: page's current rating %s and rated row %+v; API %s rated at %s %v", ind.code, shown, got, fig.Rating, fig.RatedPeriod, fig.Current)
		foot := consFootRe.FindStringSubmatch(r.Body)
		if foot == nil {
			tally.check("page to date", false, "%s: no to-date row", ind.code)
			continue
		}
		end := shownRow{target: html.UnescapeString(foot[2]), actual: strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(foot[3], ""))),
			pct: html.UnescapeString(foot[4]), rag: foot[5]}
		wantEnd := consPageRow(L, ind.unit, fig.Range)
		tally.check("page to date", end == wantEnd, "%s: page's to-date row %+v, API range %v (shown as %+v)", ind.code, end, fig.Range, wantEnd)
	}
	t.Logf("indicator pages read: %d of %d indicators", pages, len(p.inds))
}

// ---------------------------------------------------------------------------
// The dashboard (external, approved data, for every role).

func consCheckDashboardModel(t *testing.T, env *apptest.Env, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	d, err := review.LoadDashboard(context.Background(), env.App.DB, p.plan, env.Clock.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	label := "none"
	if d.Period != nil {
		label = d.Period.Label
	}
	tally.check("dashboard rated period", label == p.rated, "the dashboard rates at %s, the API at %s", label, p.rated)
	want := consCounts(p, figs)
	countsEqual := func(what string, got map[string]int, want map[string]int) {
		for _, r := range domain.RAGs {
			tally.check("dashboard counts", got[r] == want[r], "%s: %d %s on the dashboard, %d by the API", what, got[r], r, want[r])
		}
		for r, n := range got {
			tally.check("dashboard counts", n == want[r], "%s: %d %s on the dashboard, %d by the API", what, n, r, want[r])
		}
	}
	for _, s := range d.Pillars {
		countsEqual("pillar "+s.Pillar.Code, s.ByRAG, want[s.Pillar.Code])
	}
	countsEqual("whole plan", d.Total.ByRAG, want[""])
	tally.check("dashboard counts", len(d.Pillars) == len(p.pillars), "%d pillars on the dashboard, %d in the plan", len(d.Pillars), len(p.pillars))
	for _, o := range d.OffTrack {
		f := figs[o.Indicator.Code]
		if f == nil {
			tally.check("dashboard off track", false, "%s: listed furthest off track but not in the figures", o.Indicator.Code)
			continue
		}
		c := f.Current
		ok := o.Period == f.RatedPeriod && c.Actual != nil && consApprox(o.Actual, *c.Actual) && consSame(o.Target, c.Target) &&
			c.Progress != nil && consApprox(o.Progress, *c.Progress) && o.RAG == c.Rating
		tally.check("dashboard off track", ok, "%s: dashboard %s actual %v target %s progress %v %s; API %v", o.Indicator.Code, o.Period, o.Actual, consStr(o.Target), o.Progress, o.RAG, c)
	}
	// The list is the rated indicators with the least progress: no
	// indicator rated from a shown figure may be further off track than the
	// last one listed and missing from the list.
	listed := map[string]bool{}
	worst := math.Inf(-1)
	for _, o := range d.OffTrack {
		listed[o.Indicator.Code] = true
		worst = math.Max(worst, o.Progress)
	}
	rated := 0
	for code, f := range figs {
		c := f.Current
		if c.Progress == nil || c.Actual == nil {
			continue
		}
		rated++
		if *c.Progress < worst || len(d.OffTrack) < review.DashboardOffTrackSize {
			tally.check("dashboard off track", listed[code], "%s: progress %v at %s is further off track than the dashboard's list (down to %v) but not listed", code, *c.Progress, c.Period, worst)
		}
	}
	tally.check("dashboard off track", len(d.OffTrack) == min(rated, review.DashboardOffTrackSize), "the dashboard lists %d indicators furthest off track; the API rates %d from a shown figure", len(d.OffTrack), rated)
}

var (
	consDashRowRe  = regexp.MustCompile(`(?s)<tr>\s*<th scope="row">(?:<a href="#p-([^"]+)">)?.*?</th>(.*?)</tr>`)
	consNumCellRe  = regexp.MustCompile(`<td class="num">([^<]*)</td>`)
	consDashOffRe  = regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/plans/[^/]+/indicators/([^"]+)">.*?</th><td>([^<]*)</td><td>([^<]*)</td>\s*<td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td><span class="rag rag-([a-z_]+)">([^<]*)</span>`)
	consDashMetaRe = regexp.MustCompile(`(?s)<p class="dash-meta">(.*?)</p>`)
)

// consSection returns the part of a page from the first occurrence of start
// to the next occurrence of end.
func consSection(body, start, end string) string {
	i := strings.Index(body, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

func consCheckDashboardPage(t *testing.T, L *i18n.Localizer, a consAudience, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	r := a.web.Get("/plans/" + p.code + "/dashboard")
	mustStatus(t, r, http.StatusOK)
	meta := consDashMetaRe.FindStringSubmatch(r.Body)
	says := L.T("dashboard.rated_at", p.rated, L.Date(p.ratedAt))
	if !p.ratedDue {
		says = L.T("dashboard.rated_first", p.rated, L.Date(p.ratedAt))
	}
	tally.check("dashboard page rated period", meta != nil && strings.Contains(html.UnescapeString(meta[1]), says),
		"the dashboard says %q, the API rates at %s (%q)", meta, p.rated, says)
	want := consCounts(p, figs)
	table := consSection(r.Body, `<table class="dash-table">`, `</table>`)
	ragAt := 1 + len(review.DashboardStatuses) // activities total and statuses come first
	seen := 0
	for _, m := range consDashRowRe.FindAllStringSubmatch(table, -1) {
		cells := consNumCellRe.FindAllStringSubmatch(m[2], -1)
		if len(cells) < ragAt+1+len(domain.RAGs) {
			continue
		}
		pl := m[1]
		w, ok := want[pl]
		if !ok {
			t.Errorf("dashboard row for unknown pillar %q", pl)
			continue
		}
		seen++
		total := 0
		for _, r := range domain.RAGs {
			total += w[r]
		}
		got := html.UnescapeString(cells[ragAt][1])
		tally.check("dashboard page counts", got == L.Num(total), "pillar %q: %s indicators on the page, %d by the API", pl, got, total)
		for k, r := range domain.RAGs {
			got := html.UnescapeString(cells[ragAt+1+k][1])
			tally.check("dashboard page counts", got == L.Num(w[r]), "pillar %q: %s %s on the page, %d by the API", pl, got, r, w[r])
		}
	}
	tally.check("dashboard page counts", seen == len(p.pillars)+1, "%d rows in the dashboard's table, want %d pillars and the whole plan", seen, len(p.pillars))
	off := consSection(r.Body, `class="dash-offtrack"`, `</section>`)
	for _, m := range consDashOffRe.FindAllStringSubmatch(off, -1) {
		f := figs[m[1]]
		if f == nil {
			tally.check("dashboard page off track", false, "%s: listed but not in the figures", m[1])
			continue
		}
		c := f.Current
		wantRow := []string{p.byCode[m[1]].pillar, f.RatedPeriod, L.Num(c.Actual), L.Num(c.Target), "–", c.Rating, L.T("report.rag." + c.Rating)}
		if c.Progress != nil {
			wantRow[4] = L.Pct(*c.Progress)
		}
		gotRow := make([]string, 7)
		for i := range gotRow {
			gotRow[i] = html.UnescapeString(m[i+2])
		}
		tally.check("dashboard page off track", strings.Join(gotRow, "|") == strings.Join(wantRow, "|") && c.Actual != nil,
			"%s: the dashboard shows %q, the API %v (shown as %q)", m[1], gotRow, c, wantRow)
	}
}

// ---------------------------------------------------------------------------
// The slides (external, approved data).

func consCheckSlidesModel(t *testing.T, env *apptest.Env, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) int {
	t.Helper()
	s, err := review.LoadSlides(context.Background(), env.App.DB, p.code, p.from, p.to, env.Clock.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	want := consCounts(p, figs)
	counts := func(what string, got []review.Count, w map[string]int) {
		tally.check("slides counts", len(got) == len(domain.RAGs), "%s: %d rating counts", what, len(got))
		for _, c := range got {
			tally.check("slides counts", c.N == w[c.Key], "%s: %d %s on the slides, %d by the API", what, c.N, c.Key, w[c.Key])
		}
	}
	counts("overview", s.Overview.RAG, want[""])
	all := append(append([]review.IndicatorLine{}, s.OffTrack...), s.BestOnTrack...)
	for _, ps := range s.Pillars {
		counts("pillar "+ps.Code, ps.Totals.RAG, want[ps.Code])
		all = append(all, ps.OffTrack...)
	}
	tally.check("slides counts", len(s.Pillars) == len(p.pillars), "%d pillar slides, %d pillars", len(s.Pillars), len(p.pillars))
	for _, l := range all {
		f := figs[l.Code]
		if f == nil {
			tally.check("slides lines", false, "%s: on the slides but not in the figures", l.Code)
			continue
		}
		c := f.Current
		ok := l.Period == f.RatedPeriod && consSame(l.Target, c.Target) && consSame(l.Actual, c.Actual) && consSame(l.Progress, c.Progress) &&
			l.RAG == c.Rating && l.Small == c.Small && l.Withheld == (c.Suppressed && !c.Small) && !(l.Actual != nil && (l.Small || l.Withheld))
		tally.check("slides lines", ok, "%s: slide line %s target %s actual %s progress %s %s (small %v withheld %v); API %v",
			l.Code, l.Period, consStr(l.Target), consStr(l.Actual), consStr(l.Progress), l.RAG, l.Small, l.Withheld, c)
	}
	return len(all)
}

var (
	consSlideRowRe = regexp.MustCompile(`(?s)<tr><th scope="row"><span class="code">([^<]+)</span>.*?</th>(.*?)</tr>`)
	consTDRe       = regexp.MustCompile(`(?s)<td>(.*?)</td>`)
	consRagSpanRe  = regexp.MustCompile(`<span class="rag rag-([a-z_]+)">`)
)

func consCheckSlidesPage(t *testing.T, L *i18n.Localizer, a consAudience, p *consPlanInfo, figs map[string]*consFigures, lines int, tally *consTally) {
	t.Helper()
	r := a.web.Get("/plans/" + p.code + "/present?from=" + url.QueryEscape(p.from) + "&to=" + url.QueryEscape(p.to))
	mustStatus(t, r, http.StatusOK)
	rows := consSlideRowRe.FindAllStringSubmatch(r.Body, -1)
	tally.check("slides page lines", len(rows) == lines, "the presentation shows %d indicator lines, the slides hold %d", len(rows), lines)
	for _, m := range rows {
		code := m[1]
		f := figs[code]
		tds := consTDRe.FindAllStringSubmatch(m[2], -1)
		rag := consRagSpanRe.FindStringSubmatch(m[2])
		if f == nil || rag == nil || (len(tds) != 4 && len(tds) != 6) {
			tally.check("slides page lines", false, "%s: a slide row the test cannot read against the figures: %.300s", code, m[0])
			continue
		}
		c := f.Current
		text := func(i int) string {
			return strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(tds[i][1], "")))
		}
		actual := L.Num(c.Actual)
		switch {
		case c.Small:
			actual = "<5"
		case c.Suppressed:
			actual = L.T("present.withheld")
		}
		pct := "–"
		if c.Progress != nil {
			pct = L.Pct(*c.Progress)
		}
		want := []string{L.Num(c.Target), actual, pct, L.T("report.rag." + c.Rating)}
		got := []string{}
		if len(tds) == 6 { // the long form: period and baseline first
			want = append([]string{f.RatedPeriod, L.Num(p.byCode[code].baseline)}, want...)
		}
		for i := range tds {
			got = append(got, text(i))
		}
		tally.check("slides page lines", strings.Join(got, "|") == strings.Join(want, "|") && rag[1] == c.Rating,
			"%s: the slide shows %q (%s), the API %v (shown as %q)", code, got, rag[1], c, want)
	}
}
