package handlers_test

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"naptracker/app/apptest"
	"naptracker/models"
	"naptracker/seed"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPresentationInChromium: a facilitator opens the presentation, moves
// with the arrow keys (slide 3, then back to 2), the buttons and a click on
// the slide, with the slide number and the address kept in step; then sees
// it in Lao. Screenshots go to the folder the test log names.
func TestPresentationInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fac := env.User(t, models.RoleFacilitator, "")
	var shots atomic.Int32
	b := env.NewBrowser(t, &shots)
	t.Logf("screenshots: %s", b.Dir())
	b.SignIn(fac.Email, apptest.Password, nil)
	b.Open("/plans/" + seed.DemoPlanCode + "/present")
	b.Run(chromedp.WaitVisible(chromedp.CSS(`.presentation.js-deck #slide-1.current`)))
	total := apptest.Eval[int](b, `document.querySelectorAll(".slide").length`)
	visible := apptest.Eval[int](b, `[...document.querySelectorAll(".slide")].filter(s => s.offsetParent !== null).length`)
	if visible != 1 || total < 6 {
		t.Fatalf("%d of %d slides visible, want 1", visible, total)
	}
	b.Shot("slide-1-overview")

	state := func() (string, string) {
		return apptest.Eval[string](b, `document.querySelector(".slide.current").id + " " + location.hash`),
			apptest.Eval[string](b, `document.querySelector("[data-deck=count]").textContent`)
	}
	b.Run(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	cur, count := state()
	if cur != "slide-3 #slide-3" || count != "3 / "+strconv.Itoa(total) {
		t.Fatalf("after two ArrowRight: %q, counter %q", cur, count)
	}
	if !strings.Contains(apptest.Eval[string](b, `document.querySelector("#slide-3").innerText`), "3 / "+strconv.Itoa(total)) {
		t.Error("slide 3 does not say its number")
	}
	b.Shot("slide-3-pillar")
	b.Run(chromedp.KeyEvent(kb.ArrowLeft))
	if cur, count = state(); cur != "slide-2 #slide-2" || count != "2 / "+strconv.Itoa(total) {
		t.Fatalf("after ArrowLeft: %q, counter %q", cur, count)
	}
	b.Shot("slide-2-after-arrow-left")

	// The buttons, a click on the slide, End and Home.
	b.Run(chromedp.Click(chromedp.CSS(`[data-deck=next]`)))
	if cur, _ = state(); cur != "slide-3 #slide-3" {
		t.Errorf("after Next: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`#slide-3 .slide-no`)))
	if cur, _ = state(); cur != "slide-4 #slide-4" {
		t.Errorf("after a click on the slide: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`[data-deck=prev]`)))
	if cur, _ = state(); cur != "slide-3 #slide-3" {
		t.Errorf("after Previous: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`#slide-3 h2`)), chromedp.KeyEvent(kb.End))
	last := "slide-" + strconv.Itoa(total)
	if cur, _ = state(); cur != last+" #"+last {
		t.Errorf("after End: %q", cur)
	}
	b.Shot("last-slide-decisions")
	b.Run(chromedp.KeyEvent(kb.Home))
	if cur, _ = state(); cur != "slide-1 #slide-1" {
		t.Errorf("after Home: %q", cur)
	}

	// Opening an address with #slide-N starts there; in Lao the words are Lao.
	if err := env.App.DB.Model(&models.User{}).Where("id = ?", fac.ID).Update("language", "lo").Error; err != nil {
		t.Fatal(err)
	}
	// (another address than the open page's, so that the page loads again).
	b.Open("/plans/" + seed.DemoPlanCode + "/present?to=#slide-2")
	b.Run(chromedp.WaitVisible(chromedp.CSS(`#slide-2.current`)))
	if txt := apptest.Eval[string](b, `document.querySelector("#slide-2").innerText`); !strings.Contains(txt, "ຕົວຊີ້ວັດ") {
		t.Errorf("the Lao slide lacks Lao words: %.300s", txt)
	}
	b.Shot("slide-2-lao")
}
