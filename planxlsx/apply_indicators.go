package planxlsx

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/planedit"
)

// applyIndicators saves every indicator whose row or any of whose yearly
// targets the file creates or changes. An indicator and its targets are
// one form in the models, so an indicator is saved once, with the targets
// it has now and those of the file (a target missing from the file stays).
func (im *importer) applyIndicators() error {
	it, tt := im.file.Tables[SheetIndicators], im.file.Tables[SheetTargets]
	writes := func(res *RowResult) bool { return res.Status == Create || res.Status == Update }
	rowOf := map[string]int{}
	var codes []string
	for i, r := range it.Rows {
		c := it.get(r, "code")
		rowOf[c] = i
		if writes(im.rows[SheetIndicators][i]) {
			codes = append(codes, c)
		}
	}
	targetRows := map[string][]int{}
	for i, r := range tt.Rows {
		c := tt.get(r, "indicator")
		targetRows[c] = append(targetRows[c], i)
		if writes(im.rows[SheetTargets][i]) && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	slices.SortFunc(codes, codeLess)
	current := map[string]Row{}
	ct := im.current.Tables[SheetIndicators]
	for _, r := range ct.Rows {
		current[ct.get(r, "code")] = r
	}
	currentTargets := map[string]map[int]float64{}
	for _, r := range im.current.Tables[SheetTargets].Rows {
		if currentTargets[r[0]] == nil {
			currentTargets[r[0]] = map[int]float64{}
		}
		currentTargets[r[0]][atoi(r[1])] = num(r[2])
	}
	for _, code := range codes {
		if err := im.applyIndicator(code, rowOf, targetRows[code], current[code], currentTargets[code]); err != nil {
			return err
		}
	}
	return nil
}

// applyIndicator saves one indicator (see applyIndicators). The messages
// go on the indicator's row, or on its first changed target when the file
// has no row for the indicator itself.
func (im *importer) applyIndicator(code string, rowOf map[string]int, targets []int, cur Row, curTargets map[int]float64) error {
	it, tt := im.file.Tables[SheetIndicators], im.file.Tables[SheetTargets]
	ct := im.current.Tables[SheetIndicators]
	// Where messages go.
	tab, at, res := it, -1, (*RowResult)(nil)
	row := cur
	if i, ok := rowOf[code]; ok {
		at, res, row = i, im.rows[SheetIndicators][i], it.Rows[i]
	} else {
		for _, i := range targets {
			if r := im.rows[SheetTargets][i]; r.Status == Create || r.Status == Update {
				tab, at, res = tt, i, r
				break
			}
		}
	}
	if res.Status == Invalid {
		return nil
	}
	col := func(name string) string {
		if tab == tt {
			return "indicator"
		}
		return name
	}
	if row == nil {
		tab.fail(res, at, col("code"), "planxlsx.err.no_indicator", code)
		return nil
	}
	get := func(name string) string {
		if tab == it {
			return it.get(row, name)
		}
		return ct.get(row, name)
	}
	in := planedit.IndicatorInput{Code: code, Name: get("name"), Definition: get("definition"), Names: domain.Texts{},
		UnitType: get("unit_type"), UnitLabel: get("unit_label"), Direction: get("direction"), Accumulation: get("accumulation"),
		BaselineValue: optNum(get("baseline_value")), BaselineYear: optYear(get("baseline_year")), EndTarget: optNum(get("end_target")),
		MeansOfVerification: get("means_of_verification"), Sensitive: get("sensitive") == "yes", Position: atoi(get("position")),
		Targets: map[int]float64{}}
	for _, l := range TranslationLanguages {
		if s := get("name_" + l); s != "" {
			in.Names[l] = s
		}
	}
	for y, x := range curTargets {
		in.Targets[y] = x
	}
	for _, i := range targets {
		if im.rows[SheetTargets][i].Status != Invalid {
			in.Targets[atoi(tt.get(tt.Rows[i], "year"))] = num(tt.get(tt.Rows[i], "value"))
		}
	}
	in.ReportingOrgID = im.org(tab, res, at, col("reporting_org"), get("reporting_org"))
	if set := get("breakdown"); set != "" {
		var ids []int64
		if err := im.tx.Model(&domain.DisaggregationSet{}).Where("code = ?", set).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			tab.fail(res, at, col("breakdown"), "planxlsx.err.unknown_breakdown", set)
		} else {
			in.DisaggregationSetID = &ids[0]
		}
	}
	parent, err := im.indicatorParent(get("parent"))
	if err != nil {
		return err
	}
	switch {
	case parent == nil:
		tab.fail(res, at, col("parent"), "planxlsx.err.no_parent", get("parent"))
	case cur != nil && ct.get(cur, "parent") != get("parent"):
		tab.fail(res, at, col("parent"), "planxlsx.err.parent_fixed", ct.get(cur, "parent"))
	}
	if res.Status == Invalid {
		return nil
	}
	if cur == nil {
		_, err = planedit.CreateIndicator(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, *parent, in)
	} else if in.Version, err = im.version("indicators", code); err == nil {
		err = planedit.UpdateIndicator(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, *parent, code, in)
	}
	// A target's message goes on that target's value when the file has it.
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for f, m := range ve.Keys {
			y, ok := strings.CutPrefix(f, "target.")
			if !ok {
				continue
			}
			for _, i := range targets {
				if tt.get(tt.Rows[i], "year") == y {
					tr := im.rows[SheetTargets][i]
					tr.Status = Invalid
					tr.Errors = append(tr.Errors, CellError{Sheet: SheetTargets, Cell: tt.ref(i, "value"), Msg: m})
					delete(ve.Keys, f)
					delete(ve.Fields, f)
				}
			}
		}
		if len(ve.Fields) == 0 {
			return nil
		}
	}
	fallback := "code"
	if tab == tt {
		fallback = "indicator"
	}
	return tab.check(res, at, err, fallback)
}

// indicatorParent finds the activity (output) or objective (outcome) of
// the plan with a code; nil when there is none.
func (im *importer) indicatorParent(code string) (*planedit.IndicatorParent, error) {
	if code == "" {
		return nil, nil
	}
	a, err := planedit.FindCoded[domain.Activity](im.ctx, im.tx, im.plan.ID, code)
	if err == nil {
		return &planedit.IndicatorParent{Activity: a}, nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	o, err := planedit.FindCoded[domain.Objective](im.ctx, im.tx, im.plan.ID, code)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &planedit.IndicatorParent{Objective: o}, nil
}

// applyFunding saves the funding lines: an activity's lines of one funder
// are matched by their number (1 for the first added).
func (im *importer) applyFunding() error {
	return im.each(SheetFunding, func(t *Table, i int, r Row, res *RowResult) error {
		code := t.get(r, "activity")
		a, err := planedit.FindCoded[domain.Activity](im.ctx, im.tx, im.plan.ID, code)
		if errors.Is(err, domain.ErrNotFound) {
			t.fail(res, i, "activity", "planxlsx.err.no_activity", code)
			return nil
		} else if err != nil {
			return err
		}
		in := planedit.FundingInput{FunderID: im.org(t, res, i, "funder", t.get(r, "funder")), Amount: num(t.get(r, "amount")),
			Currency: t.get(r, "currency"), Status: t.get(r, "status"), Note: t.get(r, "note")}
		if res.Status == Invalid {
			return nil
		}
		if res.Status == Create {
			_, err = planedit.CreateFunding(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, a, in)
			return t.check(res, i, err, "funder")
		}
		lines, err := planedit.ActivityFunding(im.ctx, im.tx, a.ID)
		if err != nil {
			return err
		}
		n, line := 0, atoi(t.get(r, "line"))
		for _, f := range lines {
			if f.FunderID != in.FunderID {
				continue
			}
			if n++; n == line {
				in.Version = f.Version
				err = planedit.UpdateFunding(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, a, f.ID, in)
				return t.check(res, i, err, "funder")
			}
		}
		t.fail(res, i, "line", "planxlsx.err.no_line", strconv.Itoa(line))
		return nil
	})
}
