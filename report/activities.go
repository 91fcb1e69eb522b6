package report

import (
	"database/sql"
	"strings"

	"naptracker/domain"
	"naptracker/planning"

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

// activityWidths are the column widths of the activities sheet.
var activityWidths = []float64{8, 9, 44, 10, 18, 11, 11, 12, 9, 12, 13, 10, 9, 40, 40, 40, 12}

// latestUpdate is one row of the updates query.
type latestUpdate struct {
	activity                            int64
	periodID                            int64
	period, progress, status            string
	percent                             int
	achievements, challenges, nextSteps string
	expenditure                         float64
}

// writeActivities streams the activities by pillar with their latest
// update in the range (approved only unless the report includes unapproved
// data): status, percent complete, expenditure so far and the narrative.
func (b *build) writeActivities() error {
	const header = 3
	keys := []string{"pillar", "code", "activity", "lead", "supporting", "start", "end", "budget", "currency", "expenditure",
		"status", "percent_complete", "period", "achievements", "challenges", "next_steps", "note"}
	sheet, sw, err := b.streamSheet("activities", &excelize.Panes{Freeze: true, XSplit: 2, YSplit: header, TopLeftCell: cellName(3, header+1), ActivePane: "bottomRight"}, activityWidths)
	if err != nil {
		return err
	}
	st, L := b.st, b.L
	if err := sw.SetRow("A1", []any{str(st.title, L.T("report.activities.title", b.tree.Plan.Code))}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{str(st.subtitle, L.T("report.activities.intro", b.rangeLabel(), b.statusLabel()))}); err != nil {
		return err
	}
	if err := b.headRow(sw, header, keys); err != nil {
		return err
	}
	// First pass: each listed activity's state for the summary and the
	// funding sheet, and the number of rows. The rows themselves, with the
	// narratives, are written when the workbook is zipped.
	listed := map[int64]bool{}
	b.eachActivity(func(_ *planning.PillarNode, a *planning.ActivityNode) { listed[a.ID] = true })
	cur, err := b.openUpdates(listed, false)
	if err != nil {
		return err
	}
	var buf []latestUpdate
	b.eachActivity(func(_ *planning.PillarNode, a *planning.ActivityNode) {
		state := activityState{status: noReport}
		buf = cur.take(a.ID, buf)
		if u, ok := b.latestOf(buf); ok {
			state = activityState{status: u.progress, expenditure: u.expenditure, unapproved: u.status != domain.StatusApproved}
		}
		b.acts[a.ID] = state
	})
	if err := cur.close(); err != nil {
		return err
	}
	last := header + len(listed)
	if err := b.filter(sheet, len(keys), header, last); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, header, header, 3, activityWidths); err != nil {
		return err
	}
	b.zipRows[sheetPath(sheetKeys, "activities")] = func(out rowSink) error { return b.activityRows(out, header+1, listed) }
	return sw.Flush()
}

// eachActivity calls fn for every activity the report lists, in its order.
func (b *build) eachActivity(fn func(*planning.PillarNode, *planning.ActivityNode)) {
	for _, p := range b.pillars() {
		for _, o := range p.Objectives {
			for _, a := range o.Activities {
				if b.activityMatches(a) {
					fn(p, a)
				}
			}
		}
	}
}

// activityRows writes a row per listed activity from row on, with its
// latest update in the range (approved only unless the report includes
// unapproved data): status, percent complete, expenditure and narrative.
func (b *build) activityRows(out rowSink, row int, listed map[int64]bool) (err error) {
	cur, err := b.openUpdates(listed, true)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := cur.close(); err == nil {
			err = cerr
		}
	}()
	st, L := b.st, b.L
	var buf []latestUpdate
	b.eachActivity(func(p *planning.PillarNode, a *planning.ActivityNode) {
		if err != nil {
			return
		}
		var sup []string
		for _, id := range a.SupporterIDs {
			sup = append(sup, b.tree.Org(id).Acronym)
		}
		cells := []any{str(st.text, p.Code), str(st.bold, a.Code), str(st.wrap, a.TitleIn(L.Lang)), str(st.text, b.tree.Org(a.LeadOrgID).Acronym),
			str(st.wrap, strings.Join(sup, ", ")), excelize.Cell{StyleID: st.date, Value: a.StartDate}, excelize.Cell{StyleID: st.date, Value: a.EndDate},
			excelize.Cell{StyleID: st.money, Value: a.Budget}, str(st.text, a.Currency)}
		buf = cur.take(a.ID, buf)
		if u, ok := b.latestOf(buf); ok {
			un := u.status != domain.StatusApproved
			note := ""
			if un {
				note = L.T("report.note.unapproved") + " (" + L.T("status."+u.status) + ")"
			}
			cells = append(cells, st.number(u.expenditure, un), str(st.text, L.T("progress."+u.progress)),
				st.percent(float64(u.percent)/100, un), str(st.text, u.period),
				b.long(st.wrap, u.achievements), b.long(st.wrap, u.challenges), b.long(st.wrap, u.nextSteps), str(st.note, note))
		} else {
			cells = append(cells, st.dash(), str(st.text, L.T("report.status_"+noReport)), st.dash(), st.dash())
		}
		err = out.SetRow(cellName(1, row), cells, b.fitRow(cells, activityWidths))
		row++
	})
	if err == nil {
		err = cur.err
	}
	return err
}

// openUpdates streams the updates of the listed activities, by activity
// (the order of an index: no sort); latestOf picks each one's latest in
// the range. Without narratives the rows carry only what the summary needs.
func (b *build) openUpdates(listed map[int64]bool, narratives bool) (*cursor[latestUpdate], error) {
	// NULL, not '': the SQLite driver tries every time format on a text
	// column without a declared type, which cost more than the query.
	cols := `u.activity_id, u.period_id, u.progress, u.percent_complete, NULL, NULL, NULL, u.expenditure, u.status`
	if narratives {
		cols = `u.activity_id, u.period_id, u.progress, u.percent_complete, u.achievements, u.challenges, u.next_steps, u.expenditure, u.status`
	}
	q := `SELECT ` + cols + ` FROM activity_updates u WHERE u.activity_id IN (SELECT id FROM activities WHERE plan_id = ?) ORDER BY u.activity_id`
	args := []any{b.tree.Plan.ID}
	if b.snap != nil {
		// The updates the snapshot copied (approved ones only).
		q = `SELECT ` + cols + ` FROM snapshot_updates u WHERE u.snapshot_id = ? ORDER BY u.activity_id`
		args = []any{b.snap.ID}
	}
	rows, err := b.db.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	return newCursor(rows, listed, func(r *sql.Rows) (int64, latestUpdate, error) {
		var u latestUpdate
		var ach, ch, next sql.NullString
		err := r.Scan(&u.activity, &u.periodID, &u.progress, &u.percent, &ach, &ch, &next, &u.expenditure, &u.status)
		u.achievements, u.challenges, u.nextSteps = ach.String, ch.String, next.String
		return u.activity, u, err
	}), nil
}

// latestOf is the update of the latest period of the range among an
// activity's updates (approved ones only unless the report includes
// unapproved data).
func (b *build) latestOf(updates []latestUpdate) (latestUpdate, bool) {
	best, found := -1, false
	var out latestUpdate
	for _, u := range updates {
		k := b.rangeIndex(u.periodID)
		if k < 0 || k <= best || (!b.opts.IncludeUnapproved && u.status != domain.StatusApproved) {
			continue
		}
		best, out, found = k, u, true
	}
	out.period = ""
	if found {
		out.period = b.rng[best].Label
	}
	return out, found
}

// rangeIndex is the position of a period in the report's range, or -1.
func (b *build) rangeIndex(periodID int64) int {
	for i, p := range b.rng {
		if p.ID == periodID {
			return i
		}
	}
	return -1
}
