package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestReportingCycleInChromium walks the whole reporting cycle in a real
// browser: a focal point enters a disaggregated value and an activity update
// and submits them; the secretariat (signing in with its second factor)
// returns the value with a comment; the focal point corrects and resubmits;
// the secretariat approves; the value is locked and its history and the
// completeness page show it all. Screenshots of every step are written to
// the folder the test log names.
func TestReportingCycleInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	fpUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	secUser := env.User(t, domain.RoleSecretariat, "")
	key, err := account.BeginTOTP(ctx, env.App.DB, env.App.Keys, secUser)
	if err != nil {
		t.Fatal(err)
	}
	enrolled := time.Now().Add(-2 * time.Minute)
	first, _ := totp.GenerateCode(key.Secret(), enrolled)
	if _, err := account.ConfirmTOTP(ctx, env.App.DB, env.App.Keys, domain.Caller{Actor: domain.SystemActor, Now: enrolled}, secUser.ID, first); err != nil {
		t.Fatal(err)
	}
	code := func() string { c, _ := totp.GenerateCode(key.Secret(), time.Now()); return c }

	var shots atomic.Int32
	fp := env.NewBrowser(t, &shots)
	t.Logf("screenshots: %s", fp.Dir())
	plan, period := seed.DemoPlanCode, currentPeriod()
	valuePath := fmt.Sprintf("/plans/%s/indicators/2.1.1.a/values/%s", plan, period)
	updatePath := fmt.Sprintf("/plans/%s/activities/2.3.3/updates/%s", plan, period)
	cell := func(c string) string { return `input[name="cell.` + c + `"]` }

	// 1. The focal point signs in and opens My reporting.
	fp.SignIn(fpUser.Email, apptest.Password, nil)
	fp.Open("/plans/" + plan + "/reporting")
	fp.Shot("focal-point-my-reporting")
	fp.ClickAndWait(`a[href="` + valuePath + `"]`)

	// 2. A breakdown that does not add up is refused, with the sum shown.
	fp.Run(
		chromedp.SendKeys(chromedp.ID("value"), "40"),
		chromedp.SendKeys(chromedp.CSS(cell("sex=female;age=child")), "12"),
		chromedp.SendKeys(chromedp.CSS(cell("sex=female;age=adult")), "15"),
		chromedp.SendKeys(chromedp.CSS(cell("sex=male;age=child")), "6"),
		chromedp.SendKeys(chromedp.CSS(cell("sex=male;age=adult")), "5"),
		chromedp.SendKeys(chromedp.ID("narrative"), "Identified at the border checkpoints of two provinces"),
	)
	fp.ClickAndWait(`button[value="submit"]`)
	fp.Shot("breakdown-does-not-add-up")
	if !strings.Contains(fp.Text(), "adds up to 38, not to the total 40") {
		t.Fatalf("the refused breakdown is not explained: %s", fp.Text())
	}
	fp.Run(chromedp.SetValue(chromedp.CSS(cell("sex=male;age=adult")), "7"))
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "The value was saved and submitted")
	fp.Shot("value-submitted")

	// 3. The activity update, submitted too.
	fp.Open(updatePath)
	fp.Run(
		chromedp.SetValue(chromedp.ID("progress"), "delayed"),
		chromedp.SetValue(chromedp.ID("percent_complete"), "45"),
		chromedp.SetValue(chromedp.ID("expenditure"), "18000"),
		chromedp.SetValue(chromedp.ID("achievements"), "Hotline staff trained in two provinces"),
		chromedp.SetValue(chromedp.ID("challenges"), "Funds for the third province arrived late"),
		chromedp.SetValue(chromedp.ID("next_steps"), "Train the third province in the next quarter"),
	)
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "The update was saved and submitted")
	fp.Shot("activity-update-submitted")
	fp.SignOut()

	// 4. The secretariat signs in with its code and returns the value with a comment.
	sec := env.NewBrowser(t, &shots)
	sec.SignIn(secUser.Email, apptest.Password, code)
	sec.Open("/plans/" + plan + "/queue?org=MOLSW")
	sec.Shot("secretariat-queue")
	row := `tr:has(input[value^="indicator|2.1.1.a|` + period + `|"]) `
	sec.Run(
		chromedp.Click(chromedp.CSS(row+`.queue-actions summary`)),
		chromedp.SendKeys(chromedp.CSS(row+`.queue-actions textarea`), "The shelter register shows 8 boys, not 7. Please check."),
	)
	sec.ClickAndWait(row + `button[value="return"]`)
	expect(t, sec, "1 item done.")
	sec.Shot("value-returned")

	// 5. The focal point sees it returned, corrects and resubmits.
	fp.SignIn(fpUser.Email, apptest.Password, nil)
	fp.Open("/plans/" + plan + "/reporting")
	if txt := fp.Text(); !strings.Contains(txt, "The shelter register shows 8 boys") {
		t.Fatalf("My reporting does not show the return comment")
	}
	fp.Shot("focal-point-sees-return")
	fp.Open(valuePath)
	fp.Run(
		chromedp.SetValue(chromedp.ID("value"), "41"),
		chromedp.SetValue(chromedp.CSS(cell("sex=male;age=adult")), "8"),
		chromedp.SetValue(chromedp.ID("reason"), "Register recounted: 8 boys"),
	)
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "The value was saved and submitted")
	fp.Shot("value-resubmitted")

	// 6. The secretariat approves both; the value is locked.
	sec.Open("/plans/" + plan + "/queue?org=MOLSW")
	sec.Shot("queue-with-resubmitted-value")
	sec.ClickAndWait(row + `button[value="approve"]`)
	expect(t, sec, "1 item done.")
	urow := `tr:has(input[value^="activity|2.3.3|` + period + `|"]) `
	sec.ClickAndWait(urow + `button[value="approve"]`)
	expect(t, sec, "1 item done.")
	sec.Shot("approved")

	fp.Open(valuePath)
	txt := fp.Text()
	for _, want := range []string{"Approved", "can no longer be changed", "The shelter register shows 8 boys", "40 → 41"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the approved value's page lacks %q", want)
		}
	}
	inputs := apptest.Eval[int](fp, `document.querySelectorAll("#value").length`)
	if inputs != 0 {
		t.Error("the approved value can still be edited")
	}
	fp.Shot("value-locked-with-history")

	// 7. The completeness page shows MOLSW's approved items.
	sec.Open("/plans/" + plan + "/completeness?period=" + period)
	if !strings.Contains(sec.Text(), "MOLSW") {
		t.Error("the completeness page does not list MOLSW")
	}
	sec.Shot("completeness")
}

// expect fails the test when the browser's page does not say something.
func expect(t *testing.T, b *apptest.Browser, text string) {
	t.Helper()
	if got := b.Text(); !strings.Contains(got, text) {
		t.Fatalf("the page does not say %q:\n%.1500s", text, got)
	}
}
