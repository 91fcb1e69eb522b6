package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/xuri/excelize/v2"
)

// Columns of the updates sheet: one row per activity update owed, for
// each period of the range.
const (
	ucolCode = iota + 1
	ucolTitle
	ucolPeriod
	ucolStatus
	ucolProgress
	ucolPercent
	ucolExpenditure
	ucolAchievements
	ucolChallenges
	ucolNextSteps
	unumCols = ucolNextSteps
)

// rangeLabel names a range of periods: "2025-Q1", or "2025-Q1..2025-Q4".
func rangeLabel(from, to string) string {
	if from == to {
		return from
	}
	return from + ".." + to
}

// splitRange reads rangeLabel back.
func splitRange(s string) (from, to string) {
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		to = from
	}
	return from, to
}

// WriteUpdatesTemplate writes the offline template of an update grid
// (reporting.LoadUpdateGrid for the user it is made for, over one period
// or a range): one row per activity update the organisation owes in each
// period, pre-filled with what is stored; the status, percent complete,
// expenditure and the three texts open where the grid would take them,
// with the grid's validation (a status from its list, a whole percentage
// 0–100, an amount of 0 or more); everything else protected; a very
// hidden sheet naming the plan, organisation, range and every row's
// activity, period, update and version, signed with the server key.
func WriteUpdatesTemplate(w io.Writer, g *reporting.UpdateGrid, o TemplateOptions) error {
	f := excelize.NewFile()
	defer f.Close()
	t := &sheetWriter{f: f, l: o.L, sheet: sheetName(o.L.T("offline.updates.sheet"), "Updates")}
	if err := t.start(); err != nil {
		return err
	}
	from, to := g.Periods[0].Label, g.Periods[len(g.Periods)-1].Label
	m := &meta{Format: UpdatesFormat, Plan: g.Plan.Code, OrgID: g.Org.ID, Org: g.Org.Acronym, Period: rangeLabel(from, to),
		Lang: o.L.Lang, UserID: o.UserID, Generated: o.Now.UTC().Truncate(time.Second), Sheet: t.sheet}
	if err := updatesHeader(t, g, from, to); err != nil {
		return err
	}
	for i := range g.Rows {
		mr, err := updateRow(t, &g.Rows[i], firstDataRow+i)
		if err != nil {
			return err
		}
		m.Rows = append(m.Rows, mr)
	}
	return t.finish(w, m, o.Keys)
}

func updatesHeader(t *sheetWriter, g *reporting.UpdateGrid, from, to string) error {
	l := t.l
	title := l.T("offline.updates.title", g.Org.Acronym, rangeLabel(from, to), g.Plan.Code)
	heads := []any{l.T("offline.col.code"), l.T("offline.updates.col.activity"), l.T("offline.updates.col.period"),
		l.T("offline.col.status"), l.T("offline.updates.col.progress"), l.T("offline.updates.col.percent"),
		l.T("offline.updates.col.expenditure"), l.T("offline.updates.col.achievements"), l.T("offline.updates.col.challenges"),
		l.T("offline.updates.col.next_steps")}
	widths := map[string]float64{"A": 10, "B": 44, "C": 10, "D": 16, "E": 16, "F": 11, "G": 13, "H": 40, "I": 40, "J": 40}
	return t.heading(title, heads, cellRef(unumCols, 2), widths, 3)
}

// storedUpdate is the stored update of a row as an input (what the
// template's input cells are filled with).
func storedUpdate(r *reporting.UpdateRow) reporting.UpdateInput {
	in := reporting.UpdateInput{Version: r.Version()}
	if u := r.Update; u != nil {
		in.Progress, in.PercentComplete, in.Expenditure = u.Progress, u.PercentComplete, u.Expenditure
		in.Achievements, in.Challenges, in.NextSteps = u.Achievements, u.Challenges, u.NextSteps
	}
	return in
}

// updateHash is a short hash of an update's content (not its version).
func updateHash(in reporting.UpdateInput) string {
	s := strings.Join([]string{in.Progress, strconv.Itoa(in.PercentComplete), strconv.FormatFloat(in.Expenditure, 'g', -1, 64),
		in.Achievements, in.Challenges, in.NextSteps}, "\x00")
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// progressLabels are the activity statuses in the template's language, in
// the grid's order.
func progressLabels(l *i18n.Localizer) []string {
	out := make([]string, len(domain.ProgressStatuses))
	for i, p := range domain.ProgressStatuses {
		out[i] = l.T("progress." + p)
	}
	return out
}

// updateRow writes one update owed and returns its meta line.
func updateRow(t *sheetWriter, r *reporting.UpdateRow, row int) (metaRow, error) {
	l, a := t.l, r.Activity
	in := storedUpdate(r)
	status := l.T("offline.status.none")
	if r.Update != nil {
		status = l.T("status." + r.Update.Status)
	}
	editable := r.Editable()
	if !editable {
		status += " · " + l.T("offline.status.locked")
	}
	title := a.Title
	if tr := strings.TrimSpace(a.TitleI18n[l.Lang]); tr != "" {
		title = tr
	}
	cells := []any{a.Code, title, r.Period.Label, status, "", "", "", in.Achievements, in.Challenges, in.NextSteps}
	if r.Update != nil {
		cells[ucolProgress-1], cells[ucolPercent-1], cells[ucolExpenditure-1] = l.T("progress."+in.Progress), in.PercentComplete, in.Expenditure
	}
	if err := t.f.SetSheetRow(t.sheet, cellRef(ucolCode, row), &cells); err != nil {
		return metaRow{}, err
	}
	if err := t.style(row, ucolCode, ucolStatus, t.text); err != nil {
		return metaRow{}, err
	}
	for col := ucolProgress; col <= unumCols; col++ {
		st := t.locked
		if editable {
			st = t.input
			switch col {
			case ucolProgress:
				t.addRule("progress", col, row)
			case ucolPercent:
				st = t.inputNum
				t.addRule("percent_complete", col, row)
			case ucolExpenditure:
				st = t.inputNum
				t.addRule("expenditure", col, row)
			}
		}
		if err := t.style(row, col, col, st); err != nil {
			return metaRow{}, err
		}
	}
	var id int64
	if r.Update != nil {
		id = r.Update.ID
	}
	return metaRow{SheetRow: row, Kind: kindUpdate, ItemID: a.ID, Code: a.Code, Cell: r.Period.Label, RowID: id,
		Version: r.Version(), Original: updateHash(in)}, nil
}

// ProgressLine is an update's status and percent complete as one line of
// text ("Delayed · 35 %"), for previews; empty when no status was chosen.
func ProgressLine(l *i18n.Localizer, progress string, percent int) string {
	if progress == "" {
		return ""
	}
	return l.T("progress."+progress) + " · " + strconv.Itoa(percent) + " %"
}
