package handlers_test

import (
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
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
	fac := env.User(t, domain.RoleFacilitator, "")
	b := env.BrowserFor(t, fac)
	b.Open("/plans/" + seed.DemoPlanCode + "/present")
	b.Run(chromedp.WaitVisible(chromedp.CSS(`.presentation.js-deck #slide-1.current`)))
	// Slides are numbered 1…N, a long one continued as 2a, 2b…: ids[i] is
	// the number of the (i+1)th slide, total the number of numbers.
	ids := apptest.Eval[[]string](b, `[...document.querySelectorAll(".slide")].map(s => s.dataset.slide)`)
	total := strings.Split(apptest.Eval[string](b, `document.querySelector("[data-deck=count]").textContent`), " / ")[1]
	visible := apptest.Eval[int](b, `[...document.querySelectorAll(".slide")].filter(s => s.offsetParent !== null).length`)
	if visible != 1 || len(ids) < 6 || ids[len(ids)-1] != total {
		t.Fatalf("%d of %d slides visible, want 1; numbers %v of %s", visible, len(ids), ids, total)
	}
	at := func(i int) string { return "slide-" + ids[i] + " #slide-" + ids[i] }
	b.Shot("slide-1-overview")

	state := func() (string, string) {
		return apptest.Eval[string](b, `document.querySelector(".slide.current").id + " " + location.hash`),
			apptest.Eval[string](b, `document.querySelector("[data-deck=count]").textContent`)
	}
	b.Run(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	cur, count := state()
	if cur != at(2) || count != ids[2]+" / "+total {
		t.Fatalf("after two ArrowRight: %q, counter %q", cur, count)
	}
	if !strings.Contains(apptest.Eval[string](b, `document.querySelector("#slide-`+ids[2]+`").innerText`), ids[2]+" / "+total) {
		t.Errorf("slide %s does not say its number", ids[2])
	}
	b.Shot("slide-3rd-pillar")
	b.Run(chromedp.KeyEvent(kb.ArrowLeft))
	if cur, count = state(); cur != at(1) || count != ids[1]+" / "+total {
		t.Fatalf("after ArrowLeft: %q, counter %q", cur, count)
	}
	b.Shot("slide-2nd-after-arrow-left")

	// The buttons, a click on the slide, End and Home.
	b.Run(chromedp.Click(chromedp.CSS(`[data-deck=next]`)))
	if cur, _ = state(); cur != at(2) {
		t.Errorf("after Next: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`#slide-` + ids[2] + ` .slide-no`)))
	if cur, _ = state(); cur != at(3) {
		t.Errorf("after a click on the slide: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`[data-deck=prev]`)))
	if cur, _ = state(); cur != at(2) {
		t.Errorf("after Previous: %q", cur)
	}
	b.Run(chromedp.Click(chromedp.CSS(`#slide-`+ids[2]+` h2`)), chromedp.KeyEvent(kb.End))
	if cur, _ = state(); cur != at(len(ids)-1) {
		t.Errorf("after End: %q", cur)
	}
	b.Shot("last-slide-decisions")
	b.Run(chromedp.KeyEvent(kb.Home))
	if cur, _ = state(); cur != at(0) {
		t.Errorf("after Home: %q", cur)
	}

	// Opening an address with #slide-N starts there (#slide-2 at 2a when
	// slide 2 continues); in Lao the words are Lao.
	if err := env.App.DB.Model(&domain.User{}).Where("id = ?", fac.ID).Update("language", "lo").Error; err != nil {
		t.Fatal(err)
	}
	// (another address than the open page's, so that the page loads again).
	b.Open("/plans/" + seed.DemoPlanCode + "/present?to=#slide-2")
	b.Run(chromedp.WaitVisible(chromedp.CSS(`#slide-` + ids[1] + `.current`)))
	if txt := apptest.Eval[string](b, `document.querySelector("#slide-`+ids[1]+`").innerText`); !strings.Contains(txt, "ຕົວຊີ້ວັດ") {
		t.Errorf("the Lao slide lacks Lao words: %.300s", txt)
	}
	b.Shot("slide-2-lao")
}
