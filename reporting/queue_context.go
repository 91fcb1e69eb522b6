package reporting

import (
	"naptracker/domain"
	"naptracker/figures"

	"gorm.io/gorm"
)

// QueueCell is one cell of a queued value's breakdown as the secretariat
// sees it: its label (the categories, joined by " · ") and its figure.
type QueueCell struct {
	Label  []domain.CategoryLabel
	Figure figures.Figure
}

// attachComments counts the comments of the queue's values and updates in
// one query.
func attachComments(db *gorm.DB, values, updates []QueueItem) error {
	valueIDs, updateIDs := []int64{}, []int64{}
	for _, v := range values {
		valueIDs = append(valueIDs, v.ID)
	}
	for _, u := range updates {
		updateIDs = append(updateIDs, u.ID)
	}
	var counts []struct {
		IndicatorValueID *int64
		ActivityUpdateID *int64
		N                int
	}
	err := db.Table("comments").Select("indicator_value_id, activity_update_id, COUNT(*) AS n").
		Where("indicator_value_id IN ? OR activity_update_id IN ?", valueIDs, updateIDs).
		Group("indicator_value_id, activity_update_id").Scan(&counts).Error
	if err != nil {
		return err
	}
	byValue, byUpdate := map[int64]int{}, map[int64]int{}
	for _, c := range counts {
		if c.IndicatorValueID != nil {
			byValue[*c.IndicatorValueID] += c.N
		} else if c.ActivityUpdateID != nil {
			byUpdate[*c.ActivityUpdateID] += c.N
		}
	}
	for i := range values {
		values[i].Comments = byValue[values[i].ID]
	}
	for i := range updates {
		updates[i].Comments = byUpdate[updates[i].ID]
	}
	return nil
}

// attachBreakdowns fills the breakdown of the queue's values, in the cell
// order of their sets, with two queries whatever their number: the cells,
// and the categories of the sets involved. The queue is for the
// secretariat, an internal audience (figures.Disclose).
func attachBreakdowns(db *gorm.DB, values []QueueItem, inds map[int64]domain.Indicator) error {
	valueIDs, setIDs := []int64{}, []int64{}
	for _, v := range values {
		valueIDs = append(valueIDs, v.ID)
		if id := inds[v.IndicatorID].DisaggregationSetID; id != nil {
			setIDs = append(setIDs, *id)
		}
	}
	var cells []domain.ValueBreakdown
	if err := db.Where("value_id IN ?", valueIDs).Find(&cells).Error; err != nil {
		return err
	}
	sets, err := loadSetLabels(db, setIDs)
	if err != nil {
		return err
	}
	byValue := map[int64]map[string]float64{}
	for _, c := range cells {
		if byValue[c.ValueID] == nil {
			byValue[c.ValueID] = map[string]float64{}
		}
		byValue[c.ValueID][c.Cell] = c.Value
	}
	for i := range values {
		v := &values[i]
		ind := inds[v.IndicatorID]
		stored := byValue[v.ID]
		if ind.DisaggregationSetID == nil || len(stored) == 0 {
			continue
		}
		set := sets[*ind.DisaggregationSetID]
		if set == nil {
			continue
		}
		keys := set.Cells()
		raw := make([]float64, 0, len(keys))
		var present []string
		for _, k := range keys {
			if x, ok := stored[k]; ok {
				raw, present = append(raw, x), append(present, k)
			}
		}
		_, figs := figures.Disclose(ind.Sensitive, figures.Internal, v.Value, raw, true)
		for j, k := range present {
			v.Breakdown = append(v.Breakdown, QueueCell{Label: set.CellLabels(k), Figure: figs[j]})
		}
	}
	return nil
}

// loadSetLabels reads the dimensions and categories of the given sets in
// one query, as sets (without their names) by id.
func loadSetLabels(db *gorm.DB, setIDs []int64) (map[int64]*domain.DisaggregationSet, error) {
	var rows []struct {
		SetID       int64
		DimensionID int64
		DimCode     string
		Code        string
		Label       string
		LabelI18n   domain.Texts
	}
	err := db.Table("disaggregation_categories").
		Select("disaggregation_dimensions.set_id, disaggregation_dimensions.id AS dimension_id, disaggregation_dimensions.code AS dim_code, disaggregation_categories.code, disaggregation_categories.label, disaggregation_categories.label_i18n").
		Joins("JOIN disaggregation_dimensions ON disaggregation_dimensions.id = disaggregation_categories.dimension_id").
		Where("disaggregation_dimensions.set_id IN ?", setIDs).
		Order("disaggregation_dimensions.set_id, disaggregation_dimensions.position, disaggregation_dimensions.id, disaggregation_categories.position, disaggregation_categories.id").
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[int64]*domain.DisaggregationSet{}
	for _, r := range rows {
		s := out[r.SetID]
		if s == nil {
			s = &domain.DisaggregationSet{ID: r.SetID}
			out[r.SetID] = s
		}
		if n := len(s.Dimensions); n == 0 || s.Dimensions[n-1].ID != r.DimensionID {
			s.Dimensions = append(s.Dimensions, domain.DisaggregationDimension{ID: r.DimensionID, SetID: r.SetID, Code: r.DimCode})
		}
		d := &s.Dimensions[len(s.Dimensions)-1]
		d.Categories = append(d.Categories, domain.DisaggregationCategory{DimensionID: r.DimensionID, Code: r.Code, Label: r.Label, LabelI18n: r.LabelI18n})
	}
	return out, nil
}
