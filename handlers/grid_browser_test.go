package handlers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"

	"github.com/chromedp/cdproto/runtime"
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

// quarterInputs is what the focal point types in every editable row of
// the grid: the value, the breakdown split over its cells (adding up), a
// milestone's text and a narrative, by input name.
func quarterInputs(rows []reporting.GridRow) map[string]string {
	in := map[string]string{}
	for _, r := range rows {
		c := r.Indicator.Code
		v := 12.0
		switch r.Indicator.UnitType {
		case domain.UnitPercentage:
			v = 60
		case domain.UnitYesNo, domain.UnitMilestone:
			v = 1
		default:
			if r.Target != nil && *r.Target >= 1 {
				v = math.Round(*r.Target)
			}
		}
		in["v:"+c] = strconv.FormatFloat(v, 'f', -1, 64)
		if r.Indicator.UnitType == domain.UnitMilestone {
			in["t:"+c] = "Adopted and published"
		}
		in["n:"+c] = "From the provincial registers, " + c
		if r.Set != nil {
			cells := r.Set.Cells()
			share := math.Floor(v / float64(len(cells)))
			for i, cell := range cells {
				x := share
				if i == 0 {
					x = v - share*float64(len(cells)-1)
				}
				in["c:"+c+":"+cell] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
	}
	return in
}

// fillJS sets form fields by name (firing their input events, as typing
// does) and names the first field it could not find.
const fillJS = `((vals) => {
  for (const [name, v] of Object.entries(vals)) {
    const el = document.getElementsByName(name)[0];
    if (!el) return name;
    el.value = v;
    el.dispatchEvent(new Event("input", {bubbles: true}));
  }
  return "";
})(%s)`

func fill(t *testing.T, b *apptest.Browser, vals map[string]string) {
	t.Helper()
	js, _ := json.Marshal(vals)
	if missing := apptest.Eval[string](b, fmt.Sprintf(fillJS, js)); missing != "" {
		t.Fatalf("the page has no field %q", missing)
	}
}

// TestQuarterInOneSittingInChromium is the grid issue's whole story. The
// MOLSW focal point fills every editable row of the open quarter's grid —
// values, breakdowns, milestone texts, narratives — with one breakdown that
// does not add up, which is refused with its row named while the others
// are saved; corrects it; attaches an evidence file from the row's link;
// meets a conflict made by a parallel API edit on one row, resolves it and
// submits all. The secretariat sees the previous value, the target, the
// breakdown and the evidence in the queue, downloads the file (an
// attachment) and returns one row; the focal point corrects it with a
// reason, kept in the history. Then, at 390 × 844 in English, French and
// Lao, the grid, a value page and the queue have nothing wider than the
// screen outside tables scrolling in their own box, and axe-core finds no
// serious violation on the grid (also with its refused rows).
func TestQuarterInOneSittingInChromium(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	f := newGridFixture(t)
	env := f.env
	fpUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	secUser, code := enrolledSecretariat(t, env)
	var editable []reporting.GridRow
	for _, r := range f.grid.Rows {
		if r.Editable(f.grid.Open()) {
			editable = append(editable, r)
		}
	}
	plan := "/plans/" + seed.DemoPlanCode
	valuePath := func(code string) string { return plan + "/indicators/" + code + "/values/" + f.period }
	rowSel := func(code string) string { return `tr[id="row-` + code + `"]` }
	audit := &axeAudit{t: t, script: script}

	// 1. The whole grid, with one breakdown that does not add up.
	var shots atomic.Int32
	fp := env.NewBrowser(t, &shots)
	t.Logf("screenshots: %s", fp.Dir())
	fp.SignIn(fpUser.Email, apptest.Password, nil)
	fp.Open(plan + "/reporting")
	fp.ClickAndWait(`a[href="` + f.path + `"]`)
	inputs := quarterInputs(editable)
	wrong := f.split[0]
	wrongCell := "c:" + wrong.Indicator.Code + ":" + wrong.Set.Cells()[0]
	good := inputs[wrongCell]
	bad, _ := strconv.Atoi(good)
	inputs[wrongCell] = strconv.Itoa(bad + 3)
	fill(t, fp, inputs)
	fp.Shot("grid-filled")
	fp.ClickAndWait(`button[value="save"]`)
	fp.Shot("grid-wrong-sum")
	text := fp.Text()
	if !strings.Contains(text, wrong.Indicator.Code+": The breakdown adds up to") || !strings.Contains(text, "1 row was not saved.") {
		t.Fatalf("the wrong breakdown is not refused with its row named:\n%.2000s", text)
	}
	audit.run(fp, "grid-refused", "en")
	if v := f.stored(t, f.plain[0].Indicator.Code); v == nil || v.Status != domain.StatusDraft {
		t.Fatalf("the rows beside the refused one were not saved: %+v", v)
	}
	fill(t, fp, map[string]string{wrongCell: good})
	fp.ClickAndWait(`button[value="save"]`)
	expect(t, fp, "All changed rows were saved as drafts.")
	if v := f.stored(t, wrong.Indicator.Code); v == nil || len(v.Breakdown) != len(wrong.Set.Cells()) {
		t.Fatalf("the corrected breakdown was not saved: %+v", v)
	}

	// 2. One evidence file, from the row's link.
	withFile := f.plain[1]
	pdf := filepath.Join(t.TempDir(), "shelter-register.pdf")
	if err := os.WriteFile(pdf, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	fp.ClickAndWait(rowSel(withFile.Indicator.Code) + ` a.grid-evidence`)
	fp.Run(chromedp.SetUploadFiles(chromedp.CSS(`#files`), []string{pdf}))
	fp.ClickAndWait(`form[enctype="multipart/form-data"] button[type=submit]`)
	expect(t, fp, "The files were attached.")
	fp.Shot("evidence-attached")
	fp.Open(f.path)
	if !strings.Contains(fp.Text(), "1 evidence file") {
		t.Errorf("the grid row does not count its evidence file")
	}

	// 3. A parallel edit through the API makes one row stale; the focal
	// point sees the conflict, keeps their value and submits all.
	stale := f.plain[0]
	sec := env.APIClient(t, secUser)
	api := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, stale.Indicator.Code, f.period)
	mustStatus(t, sec.JSON(http.MethodPut, api, fmt.Sprintf(`{"value": 8, "narrative": "secretariat", "version": %d}`, f.stored(t, stale.Indicator.Code).Version)), http.StatusOK)
	fill(t, fp, map[string]string{"v:" + stale.Indicator.Code: "9"})
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "Someone else changed this value meanwhile.")
	fp.Shot("grid-conflict")
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "every complete row was submitted")
	fp.Shot("grid-submitted")
	for _, r := range editable {
		if v := f.stored(t, r.Indicator.Code); v == nil || v.Status != domain.StatusSubmitted {
			t.Errorf("%s was not submitted: %+v", r.Indicator.Code, v)
		}
	}
	if v := f.stored(t, stale.Indicator.Code); *v.Value != 9 {
		t.Errorf("the conflict was resolved with %v, not the focal point's 9", *v.Value)
	}

	// 4. The secretariat validates with context, downloads the file and
	// returns the disaggregated row.
	sb := env.NewBrowser(t, &shots)
	sb.SignIn(secUser.Email, apptest.Password, code)
	sb.Open(plan + "/queue?org=MOLSW&period=" + f.period)
	sb.Shot("queue")
	queueRow := func(code string) string {
		return `tr:has(input[value^="indicator|` + code + `|` + f.period + `|"])`
	}
	rowText := func(code string) string {
		return apptest.Eval[string](sb, `document.querySelector('`+queueRow(code)+`').textContent`)
	}
	l := env.App.I18n.For("en")
	for _, r := range editable {
		if r.Target != nil && r.Indicator.UnitType == domain.UnitNumber && !strings.Contains(rowText(r.Indicator.Code), l.Num(r.Target)) {
			t.Errorf("the queue row of %s does not show its target %s", r.Indicator.Code, l.Num(r.Target))
		}
		if r.Previous != nil && r.Previous.Value != nil && !strings.Contains(rowText(r.Indicator.Code), l.Num(r.Previous.Value)+" ("+f.grid.PreviousLabel+")") {
			t.Errorf("the queue row of %s does not show the previous value", r.Indicator.Code)
		}
	}
	if txt := rowText(wrong.Indicator.Code); !strings.Contains(txt, wrong.Set.Dimensions[0].Categories[0].Label) {
		t.Errorf("the queue row of %s does not show its breakdown: %s", wrong.Indicator.Code, txt)
	}
	if txt := rowText(withFile.Indicator.Code); !strings.Contains(txt, "shelter-register.pdf") {
		t.Errorf("the queue row of %s does not list its evidence: %s", withFile.Indicator.Code, txt)
	}
	download, err := chromedp.Run(sb.Ctx, chromedp.Evaluate[string](`(async () => {
	  const a = document.querySelector('`+queueRow(withFile.Indicator.Code)+` a[download]');
	  const r = await fetch(a.href);
	  return r.status + " " + r.headers.get("content-disposition") + " " + (await r.text()).slice(0, 8);
	})()`, func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if err != nil {
		t.Fatalf("download the evidence: %v", err)
	}
	if !strings.HasPrefix(download, "200 attachment") || !strings.Contains(download, "shelter-register.pdf") || !strings.HasSuffix(download, "%PDF-1.4") {
		t.Errorf("downloading the evidence: %q", download)
	}
	sb.Run(
		chromedp.Click(chromedp.CSS(queueRow(wrong.Indicator.Code)+` .queue-actions summary`)),
		chromedp.SendKeys(chromedp.CSS(queueRow(wrong.Indicator.Code)+` .queue-actions textarea`), "The register shows one more girl. Please check the breakdown."),
	)
	sb.ClickAndWait(queueRow(wrong.Indicator.Code) + ` button[value="return"]`)
	sb.Shot("queue-returned")
	if v := f.stored(t, wrong.Indicator.Code); v.Status != domain.StatusReturned {
		t.Fatalf("the row was not returned: %s", v.Status)
	}

	// 5. The focal point corrects the returned row with a reason.
	fp.Open(f.path)
	expect(t, fp, "The register shows one more girl.")
	total, _ := strconv.Atoi(inputs["v:"+wrong.Indicator.Code])
	first, _ := strconv.Atoi(good)
	fill(t, fp, map[string]string{"v:" + wrong.Indicator.Code: strconv.Itoa(total + 1), wrongCell: strconv.Itoa(first + 1),
		"r:" + wrong.Indicator.Code: "Corrected from the shelter register"})
	fp.Shot("grid-correction")
	fp.ClickAndWait(`button[value="submit"]`)
	expect(t, fp, "every complete row was submitted")
	if v := f.stored(t, wrong.Indicator.Code); v.Status != domain.StatusSubmitted || *v.Value != float64(total+1) {
		t.Errorf("the corrected row: %s %v", v.Status, *v.Value)
	}
	fp.Open(valuePath(wrong.Indicator.Code))
	expect(t, fp, "Corrected from the shelter register")
	fp.Shot("value-history-reason")

	// 6. Phones: 390 × 844 in English, French and Lao; axe on the grid.
	fp.Run(chromedp.EmulateViewport(390, 844))
	sb.Run(chromedp.EmulateViewport(390, 844))
	var problems []string
	for _, lang := range []string{"en", "fr", "lo"} {
		fp.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
		fp.Open(f.path)
		narrowCheck(fp, "grid "+lang, &problems)
		audit.check(fp, "grid-narrow", lang)
		fp.Open(valuePath(wrong.Indicator.Code))
		narrowCheck(fp, "value "+lang, &problems)
		sb.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
		sb.Open(plan + "/queue?org=MOLSW")
		narrowCheck(sb, "queue "+lang, &problems)
		sb.Shot("queue-narrow-" + lang)
	}
	if len(problems) > 0 {
		t.Errorf("at 390 px:\n%s", strings.Join(problems, "\n"))
	}
	if len(audit.problems) > 0 {
		t.Errorf("axe-core on the grid:\n%s", strings.Join(audit.problems, "\n"))
	}
}
