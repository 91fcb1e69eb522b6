package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/store"
	"naptracker/store/storetest"
)

// TestColumnsReadWhatGormReads: a row read through a model's Columns (its
// select list and fields) equals the row gorm reads, for models with
// translations, nullable columns and read-only ones, on the demo plan.
func TestColumnsReadWhatGormReads(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC))
	check := func(table string, model, got, want any) {
		t.Helper()
		cols := store.ColumnsOf(model)
		if slices.Contains(cols.Names, "") || len(cols.Names) < 5 {
			t.Fatalf("%s: columns %v", table, cols.Names)
		}
		if err := db.Raw("SELECT " + cols.Select("x") + " FROM " + table + " x ORDER BY x.id DESC LIMIT 1").Row().Scan(cols.Fields(nil, got)...); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if err := db.Table(table).Order("id DESC").Take(want).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", table, got, want)
		}
	}
	check("plans", &domain.Plan{}, &domain.Plan{}, &domain.Plan{})
	check("indicators", &domain.Indicator{}, &domain.Indicator{}, &domain.Indicator{})
	check("reporting_periods", &domain.ReportingPeriod{}, &domain.ReportingPeriod{}, &domain.ReportingPeriod{})
	check("activities", &domain.Activity{}, &domain.Activity{}, &domain.Activity{})
}
