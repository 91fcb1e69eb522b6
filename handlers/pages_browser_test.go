package handlers_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// pdfPages reads the page count of a PDF from its page tree.
var pdfPages = regexp.MustCompile(`/Count (\d+)`)

// printPDF prints the current page as Chromium would on A4 with the page's
// own @page rules, and returns the PDF.
func printPDF(t *testing.T, b *apptest.Browser) []byte {
	t.Helper()
	yes := true
	pdf, err := chromedp.Run(b.Ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PaperWidth: 8.27, PaperHeight: 11.69})
		return res.Data, err
	})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return pdf
}

// TestIndicatorAndOrganisationPagesInChromium renders the indicator and
// organisation pages for a workshop facilitator in English, French and Lao
// (screenshots in the folder the log names), checks that the chart is drawn
// and that Lao text is on the page, and prints the organisation page of the
// ministry with the most responsibilities in the demo plan: it must fit on
// one A4 sheet, as the workshop hands it out.
func TestIndicatorAndOrganisationPagesInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fac := env.User(t, domain.RoleFacilitator, "")
	b := env.BrowserFor(t, fac)
	plan := seed.DemoPlanCode
	for _, lang := range []string{"en", "fr", "lo"} {
		if err := env.App.DB.Model(&domain.User{}).Where("id = ?", fac.ID).Update("language", lang).Error; err != nil {
			t.Fatal(err)
		}
		b.Open("/plans/" + plan + "/indicators/3.3.b")
		b.Shot("indicator-" + lang)
		markers := apptest.Eval[int](b, `document.querySelectorAll("svg.chart-line .series circle").length`)
		if markers == 0 {
			t.Errorf("%s: the indicator chart draws no actual", lang)
		}
		text := b.Text()
		if lang == "lo" && !strings.Contains(text, "ຜົນຕົວຈິງ") {
			t.Errorf("the Lao indicator page shows no Lao text")
		}
		b.Open("/plans/" + plan + "/organisations/MOLSW")
		b.Shot("organisation-" + lang)
		pdf := printPDF(t, b)
		if m := pdfPages.FindSubmatch(pdf); m == nil || string(m[1]) != "1" {
			t.Errorf("%s: the organisation page prints on %q A4 pages, want 1", lang, m)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("%s: not a PDF", lang)
		}
	}
}
