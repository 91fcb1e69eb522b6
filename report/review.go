package report

import (
	"naptracker/review"

	"github.com/xuri/excelize/v2"
)

// writeReview writes the sheet "Since the last review": what moved since a
// review snapshot (Options.Since, else the latest) — indicators whose
// rating changed (models.LoadReviewChanges, from the figures package for
// the external audience), the approvals since, and the workshop decisions
// done since, overdue or due. A report reproducing a snapshot, or of a plan
// without one, says so instead.
func (b *build) writeReview() error {
	L, st := b.L, b.st
	keys := []string{"what", "item", "title", "then", "now", "when"}
	heads := make([]string, len(keys))
	for i, k := range keys {
		heads[i] = L.T("report.review.col." + k)
	}
	widths := []float64{22, 12, 60, 18, 18, 18}
	var rc *review.ReviewChanges
	intro := L.T("report.review.none")
	if b.snap != nil {
		intro = L.T("report.review.from_snapshot")
	} else {
		var err error
		if rc, err = review.LoadReviewChanges(b.ctx, b.db, b.tree.Plan, b.opts.Since, b.opts.Now, nil); err != nil {
			return err
		}
		if rc != nil {
			intro = L.T("report.review.intro", rc.Snapshot.Name, rc.Snapshot.CreatedAt.UTC().Format("2006-01-02 15:04")+" UTC")
		}
	}
	sheet, err := b.normalSheet("review", L.T("report.review.title", b.tree.Plan.Code), intro, heads, widths)
	if err != nil {
		return err
	}
	row := 4
	add := func(cells ...any) error {
		err := b.setRow(sheet, row, cells)
		if h := b.fitRow(cells, widths).Height; err == nil && h > 0 {
			err = b.f.SetRowHeight(sheet, row, h)
		}
		row++
		return err
	}
	if rc != nil {
		rag := func(r string) excelize.Cell { return str(st.rag[r], L.T(ragKey(r))) }
		for _, m := range rc.Moves {
			if err := add(str(st.bold, L.T("report.review.move")), nil, str(st.wrap, L.N("review.move", m.N, L.T(ragKey(m.From)), L.T(ragKey(m.To))))); err != nil {
				return err
			}
		}
		for _, c := range rc.Ratings {
			if err := add(str(st.text, L.T("report.review.rating")), str(st.bold, c.Indicator.Code), str(st.wrap, c.Indicator.NameIn(L.Lang)),
				rag(c.From), rag(c.To), str(st.text, c.FromPeriod+" → "+c.ToPeriod)); err != nil {
				return err
			}
		}
		for _, a := range rc.Approvals {
			if err := add(str(st.text, L.T("report.review.approved_"+a.Kind)), str(st.bold, a.Code), nil, nil, str(st.text, a.Period),
				excelize.Cell{StyleID: st.dateTime, Value: a.At.UTC()}); err != nil {
				return err
			}
		}
		if rc.ApprovalsTotal > len(rc.Approvals) {
			if err := add(str(st.note, L.T("report.review.more_approvals", rc.ApprovalsTotal-len(rc.Approvals)))); err != nil {
				return err
			}
		}
		for _, part := range []struct {
			key  string
			list []review.DecisionRow
		}{{"overdue", rc.Overdue}, {"due", rc.Due}, {"done", rc.Done}} {
			for _, d := range part.list {
				when := any(nil)
				if d.DueDate != nil {
					when = excelize.Cell{StyleID: st.date, Value: *d.DueDate}
				}
				org := ""
				if d.OrgAcronym != nil {
					org = *d.OrgAcronym
				}
				if err := add(str(st.text, L.T("report.review.decision_"+part.key)), str(st.text, org), b.long(st.wrap, d.Text), nil, nil, when); err != nil {
					return err
				}
			}
		}
	}
	return b.finishTable(sheet, len(keys), row-1, 0, nil)
}
