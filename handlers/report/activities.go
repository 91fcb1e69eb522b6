package report

import (
	"database/sql"
	"strings"

	"naptracker/models"

	"github.com/xuri/excelize/v2"
)

// noReport is the status of an activity without an update in the range.
const noReport = "no_report"

// activityState is an activity's latest update in the range, kept for the
// summary and the funding sheet.
type activityState struct {
	status      string
	expenditure float64
	unapproved  bool
}

// latestUpdate is one row of the updates query.
type latestUpdate struct {
	activity                            int64
	period, progress, status            string
	percent                             int
	achievements, challenges, nextSteps string
	expenditure                         float64
}

// writeActivities streams the activities by pillar with their latest
// update in the range (approved only unless the report includes unapproved
// data): status, percent complete, expenditure so far and the narrative.
func (b *build) writeActivities() error {
	sheet := b.sheet["activities"]
	if err := b.sheetProps(sheet); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	const header = 3
	keys := []string{"pillar", "code", "activity", "lead", "supporting", "start", "end", "budget", "currency", "expenditure",
		"status", "percent_complete", "period", "achievements", "challenges", "next_steps", "note"}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: header, TopLeftCell: cellName(3, header+1), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := setWidths(sw, []float64{8, 9, 44, 10, 18, 11, 11, 12, 9, 12, 13, 10, 9, 40, 40, 40, 12}); err != nil {
		return err
	}
	st, L := b.st, b.L
	if err := sw.SetRow("A1", []any{str(st.title, L.T("report.activities.title", b.tree.Plan.Code))}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{str(st.subtitle, L.T("report.activities.intro", b.rangeLabel(), b.statusLabel()))}); err != nil {
		return err
	}
	heads := make([]any, len(keys))
	for i, k := range keys {
		heads[i] = str(st.header, L.T("report.col."+k))
	}
	if err := sw.SetRow(cellName(1, header), heads, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	latest, err := b.latestUpdates()
	if err != nil {
		return err
	}
	row := header + 1
	for _, p := range b.pillars() {
		for _, o := range p.Objectives {
			for _, a := range o.Activities {
				if !b.activityMatches(a) {
					continue
				}
				var sup []string
				for _, id := range a.SupporterIDs {
					sup = append(sup, b.tree.Org(id).Acronym)
				}
				cells := []any{str(st.text, p.Code), str(st.bold, a.Code), str(st.wrap, a.Title), str(st.text, b.tree.Org(a.LeadOrgID).Acronym),
					str(st.wrap, strings.Join(sup, ", ")), excelize.Cell{StyleID: st.date, Value: a.StartDate}, excelize.Cell{StyleID: st.date, Value: a.EndDate},
					excelize.Cell{StyleID: st.money, Value: a.Budget}, str(st.text, a.Currency)}
				state := activityState{status: noReport}
				if u, ok := latest[a.ID]; ok {
					un := u.status != models.StatusApproved
					state = activityState{status: u.progress, expenditure: u.expenditure, unapproved: un}
					note := ""
					if un {
						note = L.T("report.note.unapproved") + " (" + L.T("status."+u.status) + ")"
					}
					cells = append(cells, st.number(u.expenditure, un), str(st.text, L.T("progress."+u.progress)),
						st.percent(float64(u.percent)/100, un), str(st.text, u.period),
						str(st.wrap, u.achievements), str(st.wrap, u.challenges), str(st.wrap, u.nextSteps), str(st.note, note))
				} else {
					cells = append(cells, st.dash(), str(st.text, L.T("report.status_"+noReport)), st.dash(), st.dash())
				}
				b.acts[a.ID] = state
				if err := sw.SetRow(cellName(1, row), cells); err != nil {
					return err
				}
				row++
			}
		}
	}
	if err := b.f.AutoFilter(sheet, cellName(1, header)+":"+cellName(len(keys), max(row-1, header+1)), nil); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, header, header); err != nil {
		return err
	}
	return sw.Flush()
}

// latestUpdates reads, in one query, the updates of the plan's activities in
// the range and keeps each activity's latest.
func (b *build) latestUpdates() (map[int64]latestUpdate, error) {
	first, last := b.rng[0], b.rng[len(b.rng)-1]
	q := `SELECT u.activity_id, p.label, u.progress, u.percent_complete, u.achievements, u.challenges, u.next_steps, u.expenditure, u.status
FROM activity_updates u JOIN activities a ON a.id = u.activity_id JOIN reporting_periods p ON p.id = u.period_id
WHERE a.plan_id = ? AND a.archived_at IS NULL AND p.start_date >= ? AND p.end_date <= ?`
	args := []any{b.tree.Plan.ID, first.StartDate, last.EndDate}
	if b.snap != nil {
		// The updates the snapshot copied (approved ones only).
		q = `SELECT u.activity_id, p.label, u.progress, u.percent_complete, u.achievements, u.challenges, u.next_steps, u.expenditure, u.status
FROM snapshot_updates u JOIN reporting_periods p ON p.id = u.period_id
WHERE u.snapshot_id = ? AND p.start_date >= ? AND p.end_date <= ?`
		args = []any{b.snap.ID, first.StartDate, last.EndDate}
	}
	if !b.opts.IncludeUnapproved {
		q += ` AND u.status = ?`
		args = append(args, models.StatusApproved)
	}
	q += ` ORDER BY u.activity_id, p.start_date`
	rows, err := b.db.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]latestUpdate{}
	for rows.Next() {
		var u latestUpdate
		var ach, ch, next sql.NullString
		if err := rows.Scan(&u.activity, &u.period, &u.progress, &u.percent, &ach, &ch, &next, &u.expenditure, &u.status); err != nil {
			return nil, err
		}
		u.achievements, u.challenges, u.nextSteps = ach.String, ch.String, next.String
		out[u.activity] = u
	}
	return out, rows.Err()
}
