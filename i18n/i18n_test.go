package i18n_test

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"
	"naptracker/templates"
)

// TestEveryTemplateKeyIsInTheCatalogue scans the templates for literal keys
// and checks the keys built from enums, so a page can never show "[key]".
func TestEveryTemplateKeyIsInTheCatalogue(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\.(?:T|N) "([a-z0-9_.]+)"`)
	prefixed := regexp.MustCompile(`\.(?:T|N) \(print "([a-z0-9_.]+\.)" `)
	var keys []string
	prefixes := map[string]bool{}
	err = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templates.FS, p)
		for _, m := range literal.FindAllSubmatch(src, -1) {
			keys = append(keys, string(m[1]))
		}
		for _, m := range prefixed.FindAllSubmatch(src, -1) {
			prefixes[string(m[1])] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys in the templates: the scan is broken", len(keys))
	}
	enums := map[string][]string{
		"unit.":             {domain.UnitNumber, domain.UnitPercentage, domain.UnitYesNo, domain.UnitMilestone},
		"direction.":        {domain.Increase, domain.Decrease, domain.Maintain},
		"accumulation.":     {domain.AccumulateSum, domain.AccumulateCumulative, domain.AccumulateLatest},
		"frequency.":        {domain.Quarterly, domain.HalfYearly, domain.Yearly},
		"funding.":          {domain.FundingPledged, domain.FundingCommitted, domain.FundingDisbursed},
		"role.":             domain.Roles,
		"status.":           {domain.StatusDraft, domain.StatusSubmitted, domain.StatusApproved, domain.StatusReturned},
		"period.state.":     {domain.PeriodUpcoming, domain.PeriodOpen, domain.PeriodOverdue, domain.PeriodClosed},
		"value.help.":       {domain.UnitNumber, domain.UnitPercentage, domain.UnitYesNo, domain.UnitMilestone},
		"reporting.status.": {reporting.StatusMissing, domain.StatusDraft, domain.StatusSubmitted, domain.StatusApproved, domain.StatusReturned},
		"reporting.open.":   {reporting.StatusMissing, domain.StatusDraft, domain.StatusSubmitted, domain.StatusApproved, domain.StatusReturned},
		"reporting.note.":   {reporting.StatusMissing, domain.StatusSubmitted},
		"progress.":         domain.ProgressStatuses,
		"update.":           {"achievements", "challenges", "next_steps"},
		"history.action.":   {"save", "submit", "approve", "return", "reopen", "comment.add"},
		"reporting.kind.":   {reporting.ItemIndicator, reporting.ItemActivity, reporting.ItemContribution},
		// translation fields of the plan-editing forms
		"i18n.": {"title_in.en", "title_in.fr", "title_in.lo", "name_in.en", "name_in.fr", "name_in.lo",
			"unit_label_in.en", "unit_label_in.fr", "unit_label_in.lo",
			"tier1_label_in.en", "tier1_label_in.fr", "tier1_label_in.lo", "tier2_label_in.en", "tier2_label_in.fr", "tier2_label_in.lo",
			"tier3_label_in.en", "tier3_label_in.fr", "tier3_label_in.lo"},
		"i18n.label_in.":      {"en", "fr", "lo"},
		"i18n.definition_in.": {"en", "fr", "lo"},
		// indicator and organisation pages
		"report.rag.":       domain.RAGs,
		"report.lang.":      i18n.Supported,
		"pages.item_kind.":  {reporting.ItemValue, reporting.ItemUpdate},
		"pages.item_state.": {reporting.ItemMissing, reporting.ItemNotDue, reporting.ItemOnTime, reporting.ItemLate},
		// offline template preview rows (offline.WillSave, Unchanged, Invalid, Conflict)
		"offline.row.":     {"save", "unchanged", "error", "conflict"},
		"planxlsx.status.": {"create", "update", "unchanged", "error"},
	}
	for p := range prefixes {
		vals, ok := enums[p]
		if !ok {
			t.Errorf("templates build keys from %q but the test does not know its values", p)
		}
		for _, v := range vals {
			keys = append(keys, p+v)
		}
	}
	for _, k := range keys {
		for _, lang := range i18n.Supported {
			if !b.Has(lang, k) {
				t.Errorf("key %q is used by a template but missing from the %s catalogue", k, lang)
			}
		}
	}
}

func TestPluralsAndFallbacks(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := b.For("en")
	if got := en.N("plan.activities", 1); got != "1 activity" {
		t.Errorf("N(1) = %q", got)
	}
	if got := en.N("plan.activities", 42); got != "42 activities" {
		t.Errorf("N(42) = %q", got)
	}
	if got := en.T("no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key shows %q", got)
	}
	if got := b.For("xx").Lang; got != "en" {
		t.Errorf("unknown language falls back to %q", got)
	}
	for lang, n := range map[string]map[int]string{
		"en": {0: "other", 1: "one", 2: "other"},
		"fr": {0: "one", 1: "one", 2: "other"},
		"lo": {0: "other", 1: "other", 2: "other"},
	} {
		for count, want := range n {
			if got := i18n.PluralForm(lang, count); got != want {
				t.Errorf("PluralForm(%s, %d) = %s, want %s", lang, count, got, want)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := func(al string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", al)
		return b.Negotiate("", r)
	}
	if got := req("de-DE,de;q=0.9"); got != "en" {
		t.Errorf("German browser gets %s, want en", got)
	}
	if got := req("fr-CA,fr;q=0.9,en;q=0.5"); got != "fr" {
		t.Errorf("French browser gets %s, want fr", got)
	}
	if got := req("lo-LA"); got != "lo" {
		t.Errorf("Lao browser gets %s, want lo", got)
	}
	if got := b.Negotiate("lo", httptest.NewRequest("GET", "/", nil)); got != "lo" {
		t.Errorf("user setting lo gives %s", got)
	}
}

func TestFormatting(t *testing.T) {
	b, _ := i18n.Load()
	en := b.For("en")
	v := 1234567.891
	tests := []struct{ got, want string }{
		{en.Num(v), "1,234,567.89"},
		{en.Num(&v), "1,234,567.89"},
		{en.Num((*float64)(nil)), "–"},
		{en.Num(-1500.0), "-1,500"},
		{en.Num(0.0), "0"},
		{en.Num(12), "12"},
		{en.Pct(0.855), "85.5%"},
		{en.Money(125000, "USD"), "USD 125,000"},
		{en.Date(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)), "2024-03-31"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
