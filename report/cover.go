package report

import (
	"strings"

	"naptracker/domain"

	"github.com/xuri/excelize/v2"
)

// writeCover writes the cover: the plan, the periods covered, the filters,
// when and by whom the report was generated, which data status it
// reflects, the legend of the ratings and the notes on how the figures are
// computed.
func (b *build) writeCover() error {
	L, st, f := b.L, b.st, b.f
	sheet := b.sheet["cover"]
	p := b.tree.Plan
	filters := []string{}
	if b.pillar != nil {
		filters = append(filters, L.T("report.filter.pillar", b.pillar.Code+" "+b.pillar.Title))
	}
	if b.org != nil {
		filters = append(filters, L.T("report.filter.org", b.org.Acronym))
	}
	if b.funder != nil {
		filters = append(filters, L.T("report.filter.funder", b.funder.Acronym))
	}
	if len(filters) == 0 {
		filters = append(filters, L.T("report.filter.none"))
	}
	by := b.opts.GeneratedBy
	if by == "" {
		by = "–"
	}
	facts := [][2]string{
		{L.T("report.cover.plan"), p.Code + " — " + p.Title},
		{L.T("report.cover.country"), p.Country},
		{L.T("report.cover.periods"), b.rangeLabel() + " (" + L.Date(b.rng[0].StartDate) + " – " + L.Date(b.rng[len(b.rng)-1].EndDate) + ")"},
		{L.T("report.cover.filters"), strings.Join(filters, "; ")},
		{L.T("report.cover.generated_at"), b.generated.Format("2006-01-02 15:04") + " UTC"},
		{L.T("report.cover.generated_by"), by},
		{L.T("report.cover.status"), b.statusLabel()},
		{L.T("report.cover.audience"), L.T("report.audience." + b.audience.String())},
	}
	if b.snap != nil {
		facts = append(facts, [2]string{L.T("report.cover.snapshot"),
			L.T("report.cover.snapshot_value", b.snap.Name, b.snap.CreatedAt.UTC().Format("2006-01-02 15:04")+" UTC")})
	}
	if err := b.setRow(sheet, 1, []any{str(st.title, L.T("report.cover.title"))}); err != nil {
		return err
	}
	if banner := b.audienceBanner(); banner != "" {
		if err := b.setRow(sheet, 2, []any{str(st.bold, banner)}); err != nil {
			return err
		}
	}
	row := 3
	for _, fact := range facts {
		if err := b.setRow(sheet, row, []any{str(st.bold, fact[0]), str(st.wrap, fact[1])}); err != nil {
			return err
		}
		row++
	}
	row++
	if err := b.setRow(sheet, row, []any{str(st.header, L.T("report.cover.rating")), str(st.header, L.T("report.cover.meaning"))}); err != nil {
		return err
	}
	row++
	for _, r := range domain.RAGs {
		meaning := L.T("report.legend." + r)
		if r == domain.RAGOnTrack || r == domain.RAGBehind || r == domain.RAGOffTrack {
			meaning = L.T("report.legend."+r, L.Pct(b.th.Green), L.Pct(b.th.Red))
		}
		if err := b.setRow(sheet, row, []any{str(st.rag[r], L.T(ragKey(r))), str(st.wrap, meaning)}); err != nil {
			return err
		}
		row++
	}
	if b.opts.IncludeUnapproved {
		if err := b.setRow(sheet, row, []any{st.number(123, true), str(st.wrap, L.T("report.legend.unapproved"))}); err != nil {
			return err
		}
		row++
	}
	row++
	if err := b.setRow(sheet, row, []any{str(st.bold, L.T("report.cover.notes"))}); err != nil {
		return err
	}
	row++
	for _, k := range []string{"targets", "actuals", "progress", "summary", "suppression", "funding", "changes"} {
		cells := []any{str(st.text, "•"), str(st.wrap, L.T("report.notes."+k))}
		if err := b.setRow(sheet, row, cells); err != nil {
			return err
		}
		if h := b.fitRow(cells, coverWidths).Height; h > 0 {
			if err := f.SetRowHeight(sheet, row, h); err != nil {
				return err
			}
		}
		row++
	}
	if err := setWidths(sheetWidths{f, sheet}, coverWidths); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	b.used("cover", 2, row-1)
	if err := b.sheetProps(sheet); err != nil {
		return err
	}
	return b.pageSetup(sheet, 1, 1, 0, nil)
}

// coverWidths are the Cover's column widths.
var coverWidths = []float64{26, 100}
