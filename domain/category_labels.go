package domain

import (
	"slices"
	"strings"
)

// CategoryLabel is a breakdown category's label with its translations.
type CategoryLabel struct {
	Label     string
	LabelI18n Texts
}

// CellLabels gives the category labels of a cell ("sex=female;age=child"),
// one per dimension, in dimension order. The dimensions and categories must
// be loaded.
func (s DisaggregationSet) CellLabels(cell string) []CategoryLabel {
	var out []CategoryLabel
	for _, d := range s.Dimensions {
		for _, c := range d.Categories {
			if cellHas(cell, d.Code+"="+c.Code) {
				out = append(out, CategoryLabel{Label: c.Label, LabelI18n: c.LabelI18n})
			}
		}
	}
	return out
}

// cellHas reports whether the cell names the part ("dim=cat").
func cellHas(cell, part string) bool {
	return slices.Contains(strings.Split(cell, ";"), part)
}
