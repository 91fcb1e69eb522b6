package i18n_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"naptracker/i18n"
)

// TestFormattingPerLanguage checks numbers, percentages, money, dates and
// plurals as a French or Lao reader expects them: French groups digits with
// a narrow no-break space and writes a decimal comma; Lao keeps Western
// digits and separators, as its official documents do; dates never take the
// ambiguous 03/04 form.
func TestFormattingPerLanguage(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fr, lo := b.For("fr"), b.For("lo")
	day := time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC)
	tests := []struct{ name, got, want string }{
		{"fr number", fr.Num(1234.5), "1\u202f234,5"},
		{"fr large number", fr.Num(1234567.891), "1\u202f234\u202f567,89"},
		{"fr percentage", fr.Pct(0.855), "85,5\u202f%"},
		{"fr money", fr.Money(125000, "LAK"), "LAK 125\u202f000"},
		{"fr date", fr.Date(day), "27\u00a0nov.\u00a02026"},
		{"fr date in March", fr.Date(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)), "31\u00a0mars\u00a02024"},
		{"fr date and time", fr.DateTime(day), "27\u00a0nov.\u00a02026 09:05 UTC"},
		{"lo number", lo.Num(1234.5), "1,234.5"},
		{"lo percentage", lo.Pct(0.5), "50%"},
		{"lo date", lo.Date(day), "27 ພະຈິກ 2026"},
		{"lo date and time", lo.DateTime(day.In(time.FixedZone("ICT", 7*3600))), "27 ພະຈິກ 2026 09:05 UTC"},
		{"en date stays ISO", b.For("en").Date(day), "2026-11-27"},
		{"fr plural of 0", fr.N("plan.activities", 0), "0 activité"},
		{"fr plural of 1", fr.N("plan.activities", 1), "1 activité"},
		{"fr plural of 2", fr.N("plan.activities", 2), "2 activités"},
		{"lo has no plural", lo.N("plan.activities", 2), "2 ກິດຈະກຳ"},
		{"en plural of 0", b.For("en").N("plan.activities", 0), "0 activities"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestPlanContentInThePageLanguage shows a title's translation when there
// is one, and otherwise the original marked with the plan's language.
func TestPlanContentInThePageLanguage(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := map[string]string{"fr": "Prévention"}
	if got := b.For("fr").Content("Prevention", tr, "en"); got != "Prévention" {
		t.Errorf("fr = %q", got)
	}
	if got := b.For("lo").Content("Prevention & <care>", tr, "en"); got != `<span lang="en">Prevention &amp; &lt;care&gt;</span>` {
		t.Errorf("lo falls back to %q", got)
	}
	if got := b.For("en").Content("Prevention", tr, "en"); got != "Prevention" {
		t.Errorf("en = %q", got)
	}
	if got := b.For("lo").Text("Prevention", tr); got != "Prevention" {
		t.Errorf("Text for lo = %q", got)
	}
}

// TestLanguageCookie: the visitor's choice in the "lang" cookie comes after
// the account setting and before Accept-Language.
func TestLanguageCookie(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := newRequest("fr-FR,fr;q=0.9", "lo")
	if got := b.Negotiate("", r); got != "lo" {
		t.Errorf("cookie lo with a French browser gives %s", got)
	}
	if got := b.Negotiate("en", r); got != "en" {
		t.Errorf("account setting en with cookie lo gives %s", got)
	}
	if got := b.Negotiate("", newRequest("fr", "xx")); got != "fr" {
		t.Errorf("an unknown cookie value is not ignored: %s", got)
	}
}

func newRequest(acceptLanguage, cookie string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", acceptLanguage)
	r.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: cookie})
	return r
}

func TestLangAttr(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.For("lo").LangAttr("en"); got != ` lang="en"` {
		t.Errorf("lo page, English text: %q", got)
	}
	if got := b.For("en").LangAttr("en"); got != "" {
		t.Errorf("en page, English text: %q", got)
	}
}
