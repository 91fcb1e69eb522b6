package report

import (
	"naptracker/models"
)

// loadTargets reads the yearly targets of every indicator of the plan in
// one query: indicator id → year → target.
func (b *build) loadTargets() (map[int64]map[int]float64, error) {
	rows, err := b.db.Raw(`SELECT t.indicator_id, t.year, t.value FROM indicator_targets t
JOIN indicators i ON i.id = t.indicator_id WHERE i.plan_id = ? AND i.archived_at IS NULL ORDER BY t.indicator_id, t.year`, b.tree.Plan.ID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[int]float64{}
	for rows.Next() {
		var id int64
		var year int
		var v float64
		if err := rows.Scan(&id, &year, &v); err != nil {
			return nil, err
		}
		m := out[id]
		if m == nil {
			m = map[int]float64{}
			out[id] = m
		}
		m[year] = v
	}
	return out, rows.Err()
}

// yearSlots gives, for each period of the plan, its place in its year
// (1-based) and the number of periods in that year.
func yearSlots(all []models.ReportingPeriod) (place, count []int) {
	place, count = make([]int, len(all)), make([]int, len(all))
	perYear := map[int]int{}
	for i, p := range all {
		perYear[p.Year()]++
		place[i] = perYear[p.Year()]
	}
	for i, p := range all {
		count[i] = perYear[p.Year()]
	}
	return place, count
}

// periodTarget is the target of an indicator for the period with index k
// (see the IPTT semantics in ipttdata.go); nil when the year has no target.
func (b *build) periodTarget(ind *models.Indicator, targets map[int]float64, k int, place, count []int) *float64 {
	year := b.all[k].Year()
	t, ok := targets[year]
	if !ok {
		return nil
	}
	var out float64
	switch ind.Accumulation {
	case models.AccumulateSum:
		out = t / float64(count[k])
	case models.AccumulateCumulative:
		start := 0.0
		if prev, ok := targets[year-1]; ok {
			start = prev
		} else if ind.BaselineValue != nil {
			start = *ind.BaselineValue
		}
		out = start + (t-start)*float64(place[k])/float64(count[k])
	default:
		out = t
	}
	return &out
}
