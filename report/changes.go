package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/figures"

	"github.com/xuri/excelize/v2"
)

// Audit actions the changes sheet lists. Reports of approved data list the
// approvals and reopenings of values and updates (not the drafts before
// them); reports that include unapproved data list every step.
var (
	approvedActions = []string{"value.approve", "value.reopen", "update.approve", "update.reopen", "indicator.update", "activity.update",
		"funding.create", "funding.update", "funding.delete", "decision.create", "decision.done"}
	draftActions = []string{"value.save", "value.submit", "value.return", "update.save", "update.submit", "update.return"}
)

// changeRow is one row of the changes query.
type changeRow struct {
	ID          int64
	OccurredAt  time.Time
	Actor       string
	UserName    *string
	Action      string
	OldValue    string
	NewValue    string
	Reason      string
	IndicatorID *int64
	ActivityID  *int64
	PillarID    *int64
	Code        *string
	Period      *string
	Sensitive   *bool
	// A workshop decision's text, responsible organisation and due date.
	Decision    *string
	DecisionOrg *string
	DecisionDue *time.Time
}

// writeChanges streams what changed since the start of the range, from the
// audit log, oldest first: when, who, what, on which item, old → new, why.
func (b *build) writeChanges() error {
	const header = 3
	keys := []string{"when", "who", "what", "item", "period", "old", "new", "reason"}
	widths := []float64{17, 22, 22, 10, 9, 40, 40, 40}
	sheet, sw, err := b.streamSheet("changes", &excelize.Panes{Freeze: true, YSplit: header, TopLeftCell: cellName(1, header+1), ActivePane: "bottomLeft"}, widths)
	if err != nil {
		return err
	}
	st, L := b.st, b.L
	if err := sw.SetRow("A1", []any{str(st.title, L.T("report.changes.title", b.tree.Plan.Code))}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{str(st.subtitle, L.T("report.changes.intro", L.Date(b.rng[0].StartDate), b.statusLabel()))}); err != nil {
		return err
	}
	if err := b.headRow(sw, header, keys); err != nil {
		return err
	}
	inds, acts := b.inScope()
	actions := approvedActions
	if b.opts.IncludeUnapproved {
		actions = append(append([]string{}, approvedActions...), draftActions...)
	}
	rows, err := b.db.Raw(`SELECT e.id, e.occurred_at, e.actor, us.name AS user_name, e.action, e.old_value, e.new_value, e.reason,
COALESCE(vi.id, ii.id) AS indicator_id, COALESCE(ua.id, fa.id, da.id) AS activity_id, wd.pillar_id AS pillar_id,
COALESCE(vi.code, ii.code, ua.code, fa.code, da.code, dp.code) AS code, wd.text AS decision, dorg.acronym AS decision_org, wd.due_date AS decision_due, COALESCE(vp.label, up.label) AS period, COALESCE(vi.sensitive, ii.sensitive) AS sensitive
FROM audit_entries e
LEFT JOIN users us ON us.id = e.user_id
LEFT JOIN indicator_values v ON e.entity_type = 'indicator_value' AND v.id = e.entity_id
LEFT JOIN indicators vi ON vi.id = v.indicator_id
LEFT JOIN reporting_periods vp ON vp.id = v.period_id
LEFT JOIN activity_updates au ON e.entity_type = 'activity_update' AND au.id = e.entity_id
LEFT JOIN activities ua ON ua.id = au.activity_id
LEFT JOIN reporting_periods up ON up.id = au.period_id
LEFT JOIN indicators ii ON e.entity_type = 'indicator' AND ii.id = e.entity_id
LEFT JOIN funding_lines fl ON e.entity_type = 'funding_line' AND fl.id = e.entity_id
LEFT JOIN activities fa ON fa.id = CASE WHEN e.entity_type = 'activity' THEN e.entity_id ELSE fl.activity_id END
LEFT JOIN workshop_decisions wd ON e.entity_type = 'decision' AND wd.id = e.entity_id
LEFT JOIN activities da ON da.id = wd.activity_id
LEFT JOIN pillars dp ON dp.id = wd.pillar_id
LEFT JOIN organisations dorg ON dorg.id = wd.organisation_id
WHERE e.plan_id = ? AND e.occurred_at >= ? AND e.occurred_at <= ? AND e.action IN ?
ORDER BY e.occurred_at, e.id`, b.tree.Plan.ID, b.rng[0].StartDate, b.changesUntil(), actions).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	row := header + 1
	for rows.Next() {
		var c changeRow
		if err := b.db.ScanRows(rows, &c); err != nil {
			return err
		}
		switch {
		case c.IndicatorID != nil && !inds[*c.IndicatorID]:
			continue
		case c.IndicatorID == nil && c.ActivityID != nil && !acts[*c.ActivityID]:
			continue
		case c.PillarID != nil && b.pillar != nil && *c.PillarID != b.pillar.ID:
			continue
		case c.IndicatorID == nil && c.ActivityID == nil && c.PillarID == nil && (b.pillar != nil || b.org != nil || b.funder != nil):
			continue
		}
		who := c.Actor
		if c.UserName != nil && *c.UserName != "" {
			who = *c.UserName
		}
		hide := b.opts.Audience == figures.External && c.Sensitive != nil && *c.Sensitive
		old, nw := b.diff(c.OldValue, c.NewValue, hide)
		if c.Decision != nil {
			old, nw = b.decisionText(c)
		}
		cells := []any{excelize.Cell{StyleID: st.dateTime, Value: c.OccurredAt.UTC()}, str(st.text, who), str(st.text, b.actionLabel(c.Action)),
			str(st.bold, deref(c.Code)), str(st.text, deref(c.Period)), b.long(st.wrap, old), b.long(st.wrap, nw), b.long(st.wrap, c.Reason)}
		if err := sw.SetRow(cellName(1, row), cells, b.fitRow(cells, widths)); err != nil {
			return err
		}
		row++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := b.filter(sheet, len(keys), header, row-1); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, header, header, 1, widths); err != nil {
		return err
	}
	return sw.Flush()
}

// inScope are the indicators and activities the filters keep.
func (b *build) inScope() (inds, acts map[int64]bool) {
	inds, acts = map[int64]bool{}, map[int64]bool{}
	for _, p := range b.pillars() {
		for _, o := range p.Objectives {
			for i := range o.Indicators {
				if b.indicatorMatches(&o.Indicators[i], nil) {
					inds[o.Indicators[i].ID] = true
				}
			}
			for _, a := range o.Activities {
				if b.activityMatches(a) {
					acts[a.ID] = true
				}
				for i := range a.Indicators {
					if b.indicatorMatches(&a.Indicators[i], a) {
						inds[a.Indicators[i].ID] = true
					}
				}
			}
		}
	}
	return inds, acts
}

// changesUntil is the end of the changes listed: the moment a snapshot was
// taken, else the end of time (the log's clock may run ahead of opts.Now).
func (b *build) changesUntil() time.Time {
	if b.snap != nil {
		return b.snap.CreatedAt
	}
	return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
}

// decisionText describes a workshop decision: what, who, by when.
func (b *build) decisionText(c changeRow) (string, string) {
	if c.Action == "decision.done" {
		return b.L.T("report.decision.open"), b.L.T("report.decision.done") + ": " + *c.Decision
	}
	parts := []string{*c.Decision}
	if c.DecisionOrg != nil {
		parts = append(parts, b.L.T("report.decision.org", *c.DecisionOrg))
	}
	if c.DecisionDue != nil {
		parts = append(parts, b.L.T("report.decision.due", b.L.Date(*c.DecisionDue)))
	}
	return "–", strings.Join(parts, "\n")
}

// actionLabel names an audit action ("value.approve" → "Value approved").
func (b *build) actionLabel(action string) string {
	key := "report.action." + strings.ReplaceAll(action, ".", "_")
	if t := b.L.T(key); !strings.HasPrefix(t, "[") {
		return t
	}
	return action
}

// diff renders the fields that differ between the old and the new JSON
// snapshots of an audit entry, one "field: value" per line. Version
// counters are left out; for sensitive indicators in an external
// workbook the breakdown is left out and small values are shown as "<5".
func (b *build) diff(oldJSON, newJSON string, hide bool) (string, string) {
	var o, n map[string]any
	_ = json.Unmarshal([]byte(oldJSON), &o)
	_ = json.Unmarshal([]byte(newJSON), &n)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		if k == "version" || (hide && k == "disaggregation") {
			continue
		}
		if fmt.Sprint(o[k]) != fmt.Sprint(n[k]) || k == "value" && n != nil {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	render := func(m map[string]any) string {
		if m == nil {
			return "–"
		}
		var lines []string
		for _, k := range names {
			v, ok := m[k]
			if !ok {
				continue
			}
			lines = append(lines, k+": "+b.renderValue(k, v, hide))
		}
		return strings.Join(lines, "\n")
	}
	return render(o), render(n)
}

// renderValue writes one field of a snapshot for a reader.
func (b *build) renderValue(key string, v any, hide bool) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case float64:
		if key == "value" {
			if f, _ := figures.Disclose(hide, figures.External, &x, nil, false); f.Small {
				return "<5"
			}
		}
		return b.L.Num(x)
	case string:
		if r := []rune(x); utf8.RuneCountInString(x) > 300 {
			return string(r[:300]) + "…"
		}
		return x
	default:
		raw, _ := json.Marshal(x)
		return string(raw)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
