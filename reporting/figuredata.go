package reporting

import (
	"slices"

	"naptracker/domain"
	"naptracker/figures"

	"gorm.io/gorm"
)

// IndicatorData is what has been reported of one indicator, as
// figures.Assess takes it: the values in period order and each breakdown
// cell's values in period order, by cell name.
type IndicatorData struct {
	Total []figures.Point
	Cells map[string][]figures.Point
}

// For gives the data with the breakdown cells in the order of cells (a
// disaggregation set's Cells; nil: no breakdown).
func (d IndicatorData) For(cells []string) figures.Data {
	out := figures.Data{Total: d.Total}
	if len(cells) == 0 || len(d.Cells) == 0 {
		return out
	}
	out.Cells = make([][]figures.Point, len(cells))
	for i, c := range cells {
		out.Cells[i] = d.Cells[c]
	}
	return out
}

// FigureData is the live source of figures for some of a plan's indicators:
// their yearly targets and reported values by indicator id. A review
// snapshot is the other source (see SnapshotContent and the report).
type FigureData struct {
	Targets map[int64]map[int]float64
	Values  map[int64]*IndicatorData
}

// LoadFigureData reads the targets and the values of the indicators whose
// ids the subquery ids selects, in two queries (three with the breakdown
// cells): approved values only when approvedOnly, of the periods in all
// (a plan's periods, in order).
func LoadFigureData(db *gorm.DB, all []domain.ReportingPeriod, ids *gorm.DB, approvedOnly, cells bool) (*FigureData, error) {
	index := make(map[int64]int, len(all))
	for i, p := range all {
		index[p.ID] = i
	}
	out := &FigureData{Targets: map[int64]map[int]float64{}, Values: map[int64]*IndicatorData{}}
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN (?)", ids).Find(&targets).Error; err != nil {
		return nil, err
	}
	for _, t := range targets {
		if out.Targets[t.IndicatorID] == nil {
			out.Targets[t.IndicatorID] = map[int]float64{}
		}
		out.Targets[t.IndicatorID][t.Year] = t.Value
	}
	type row struct {
		ID          int64
		IndicatorID int64
		PeriodID    int64
		Value       float64
		Status      string
	}
	q := db.Model(&domain.IndicatorValue{}).Select("id", "indicator_id", "period_id", "value", "status").
		Where("indicator_id IN (?) AND value IS NOT NULL", ids)
	if approvedOnly {
		q = q.Where("status = ?", domain.StatusApproved)
	}
	var rows []row
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	byValue := make(map[int64]row, len(rows))
	for _, r := range rows {
		k, ok := index[r.PeriodID]
		if !ok {
			continue
		}
		byValue[r.ID] = r
		d := out.Values[r.IndicatorID]
		if d == nil {
			d = &IndicatorData{}
			out.Values[r.IndicatorID] = d
		}
		d.Total = append(d.Total, figures.Point{Period: k, Value: r.Value, Unapproved: r.Status != domain.StatusApproved})
	}
	byPeriod := func(a, b figures.Point) int { return a.Period - b.Period }
	for _, d := range out.Values {
		slices.SortFunc(d.Total, byPeriod)
	}
	if !cells || len(byValue) == 0 {
		return out, nil
	}
	vq := db.Model(&domain.IndicatorValue{}).Select("id").Where("indicator_id IN (?) AND value IS NOT NULL", ids)
	if approvedOnly {
		vq = vq.Where("status = ?", domain.StatusApproved)
	}
	var bds []domain.ValueBreakdown
	if err := db.Where("value_id IN (?)", vq).Find(&bds).Error; err != nil {
		return nil, err
	}
	for _, b := range bds {
		r, ok := byValue[b.ValueID]
		if !ok {
			continue
		}
		d := out.Values[r.IndicatorID]
		if d.Cells == nil {
			d.Cells = map[string][]figures.Point{}
		}
		d.Cells[b.Cell] = append(d.Cells[b.Cell], figures.Point{Period: index[r.PeriodID], Value: b.Value, Unapproved: r.Status != domain.StatusApproved})
	}
	for _, d := range out.Values {
		for _, pts := range d.Cells {
			slices.SortFunc(pts, byPeriod)
		}
	}
	return out, nil
}

// Assess works out one indicator's figures from the data over a window for
// an audience (figures.Assess), with the breakdown in the order of cells.
func (fd *FigureData) Assess(ind domain.Indicator, cells []string, w figures.Window, aud figures.Audience) figures.Assessment {
	var d IndicatorData
	if v := fd.Values[ind.ID]; v != nil {
		d = *v
	}
	return figures.Assess(ind.Figures(fd.Targets[ind.ID]), d.For(cells), w, aud)
}
