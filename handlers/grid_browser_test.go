package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestGridInChromium has the MOLSW focal point fill part of the grid with
// the keyboard (Enter moves down the column, the breakdown sum runs as it is
// typed), save, meet a conflict made meanwhile through the API on one row
// while the others are submitted, and submit that row too.
func TestGridInChromium(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	u := f.env.User(t, domain.RoleFocalPoint, "MOLSW")
	b := f.env.BrowserFor(t, nil)
	a, split := f.plain[0], f.split[0]
	in := func(kind, code string) string { return `[name="` + kind + `:` + code + `"]` }

	b.SignIn(u.Email, apptest.Password, nil)
	b.Open("/plans/" + seed.DemoPlanCode + "/reporting")
	b.ClickAndWait(`a[href="` + f.path + `"]`)
	b.Run(chromedp.SendKeys(chromedp.CSS(in("v", a.Indicator.Code)), "5"+kb.Enter))
	if col := apptest.Eval[string](b, `document.activeElement.getAttribute("data-col") + " " + document.activeElement.name`); !strings.HasPrefix(col, "v ") || strings.HasSuffix(col, a.Indicator.Code) {
		t.Errorf("Enter did not move down the value column: focus on %q", col)
	}
	cells := split.Set.Cells()
	b.Run(
		chromedp.Click(chromedp.CSS(`#row-`+strings.ReplaceAll(split.Indicator.Code, ".", `\.`)+` summary`)),
		chromedp.SendKeys(chromedp.CSS(in("v", split.Indicator.Code)), "10"),
		chromedp.SendKeys(chromedp.CSS(in("c", split.Indicator.Code+":"+cells[0])), "4"),
		chromedp.SendKeys(chromedp.CSS(in("c", split.Indicator.Code+":"+cells[1])), "5"),
	)
	if sum := b.Text(); !strings.Contains(sum, "Σ 9 ≠ 10") {
		t.Errorf("the running sum does not show 9 against 10")
	}
	b.Run(chromedp.SendKeys(chromedp.CSS(in("c", split.Indicator.Code+":"+cells[1])), kb.Backspace+"6"))
	b.Shot("grid-filled")
	b.ClickAndWait(`button[value="save"]`)
	expect(t, b, "All changed rows were saved as drafts.")

	// A parallel edit of the first row through the API.
	sec := f.env.APIClient(t, f.env.User(t, domain.RoleSecretariat, ""))
	api := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, a.Indicator.Code, f.period)
	mustStatus(t, sec.JSON(http.MethodPut, api, fmt.Sprintf(`{"value": 8, "narrative": "secretariat", "version": %d}`, a.Version()+1)), http.StatusOK)

	b.Run(chromedp.SetValue(chromedp.CSS(in("v", a.Indicator.Code)), "6"))
	b.ClickAndWait(`button[value="submit"]`)
	expect(t, b, "Someone else changed this value meanwhile.")
	if strings.Contains(b.Text(), "All changed rows were saved") {
		t.Errorf("the conflict page still shows the earlier success message")
	}
	b.Shot("grid-conflict")
	if v := f.stored(t, split.Indicator.Code); v.Status != domain.StatusSubmitted {
		t.Errorf("the complete row beside the conflict was not submitted: %s", v.Status)
	}
	b.ClickAndWait(`button[value="submit"]`)
	expect(t, b, "every complete row was submitted")
	b.Shot("grid-submitted")
	if v := f.stored(t, a.Indicator.Code); v.Status != domain.StatusSubmitted || *v.Value != 6 {
		t.Errorf("after resolving the conflict: %s %v", v.Status, *v.Value)
	}
}
