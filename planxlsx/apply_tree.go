package planxlsx

import (
	"errors"
	"slices"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/planedit"
)

func sortStrings(xs []string) { slices.Sort(xs) }

// parentCode drops the last segment of a dotted code: "2.1.3" → "2.1".
func parentCode(code string) string {
	if i := strings.LastIndex(code, "."); i >= 0 {
		return code[:i]
	}
	return ""
}

// applyBreakdowns creates the breakdown sets of the file that the
// database lacks, with their dimensions and categories in the file's
// order. A set that exists is shared by every plan and fixed once values
// use it: a row that would change it is an error.
func (im *importer) applyBreakdowns() error {
	t := im.file.Tables[SheetBreakdowns]
	existing := map[string]bool{}
	for _, r := range im.current.Tables[SheetBreakdowns].Rows {
		existing[r[0]] = true
	}
	type newSet struct {
		set  domain.DisaggregationSet
		rows []int
	}
	var order []string
	created := map[string]*newSet{}
	for i, r := range t.Rows {
		res := im.rows[SheetBreakdowns][i]
		if res.Status != Create && res.Status != Update {
			continue
		}
		code := t.get(r, "set")
		if existing[code] {
			t.fail(res, i, "set", "planxlsx.err.breakdown_fixed", code)
			continue
		}
		for _, c := range []string{"set_name", "dimension_name", "category_label"} {
			if t.get(r, c) == "" {
				t.fail(res, i, c, "err.required")
			}
		}
		ns := created[code]
		if ns == nil {
			ns = &newSet{set: domain.DisaggregationSet{Code: code, Name: t.get(r, "set_name"), CreatedAt: im.now}}
			created[code] = ns
			order = append(order, code)
		}
		ns.rows = append(ns.rows, i)
		dim := t.get(r, "dimension")
		k := slices.IndexFunc(ns.set.Dimensions, func(d domain.DisaggregationDimension) bool { return d.Code == dim })
		if k < 0 {
			ns.set.Dimensions = append(ns.set.Dimensions, domain.DisaggregationDimension{Code: dim, Name: t.get(r, "dimension_name"), Position: len(ns.set.Dimensions) + 1})
			k = len(ns.set.Dimensions) - 1
		}
		d := &ns.set.Dimensions[k]
		d.Categories = append(d.Categories, domain.DisaggregationCategory{Code: t.get(r, "category"), Label: t.get(r, "category_label"), Position: len(d.Categories) + 1})
	}
	for _, code := range order {
		ns := created[code]
		bad := slices.ContainsFunc(ns.rows, func(i int) bool { return im.rows[SheetBreakdowns][i].Status == Invalid })
		if bad {
			continue
		}
		if err := im.tx.Create(&ns.set).Error; err != nil {
			return err
		}
		if err := domain.Audit(im.tx, im.actor, "disaggregation_set.create", "disaggregation_set", &ns.set.ID, nil, nil,
			map[string]any{"code": ns.set.Code, "name": ns.set.Name, "cells": ns.set.Cells()}, ""); err != nil {
			return err
		}
	}
	return nil
}

// node is the shared input of a pillar, objective or activity row.
func node(t *Table, r Row) planedit.NodeInput {
	in := planedit.NodeInput{Code: t.get(r, "code"), Title: t.get(r, "title"), Description: t.get(r, "description"),
		Position: atoi(t.get(r, "position")), Titles: domain.Texts{}}
	for _, l := range TranslationLanguages {
		if s := t.get(r, "title_"+l); s != "" {
			in.Titles[l] = s
		}
	}
	return in
}

// version is the current version of a coded row of the plan.
func (im *importer) version(table, code string) (int, error) {
	var v int
	err := im.tx.Table(table).Where("plan_id = ? AND code = ?", im.plan.ID, code).Select("version").Row().Scan(&v)
	return v, err
}

func (im *importer) applyPillars() error {
	return im.each(SheetPillars, func(t *Table, i int, r Row, res *RowResult) error {
		in := node(t, r)
		var err error
		if res.Status == Create {
			_, err = planedit.CreatePillar(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, in)
		} else if in.Version, err = im.version("pillars", in.Code); err == nil {
			err = planedit.UpdateNode(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, "pillar", in.Code, in)
		}
		return t.check(res, i, err, "code")
	})
}

func (im *importer) applyObjectives() error {
	return im.each(SheetObjectives, func(t *Table, i int, r Row, res *RowResult) error {
		in := node(t, r)
		var err error
		if res.Status == Create {
			parent := parentCode(in.Code)
			p, ferr := planedit.FindCoded[domain.Pillar](im.ctx, im.tx, im.plan.ID, parent)
			if errors.Is(ferr, domain.ErrNotFound) {
				t.fail(res, i, "code", "planxlsx.err.no_parent", parent)
				return nil
			} else if ferr != nil {
				return ferr
			}
			_, err = planedit.CreateObjective(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, p, in)
		} else if in.Version, err = im.version("objectives", in.Code); err == nil {
			err = planedit.UpdateNode(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, "objective", in.Code, in)
		}
		return t.check(res, i, err, "code")
	})
}

func (im *importer) applyActivities() error {
	return im.each(SheetActivities, func(t *Table, i int, r Row, res *RowResult) error {
		in := planedit.ActivityInput{NodeInput: node(t, r), Budget: num(t.get(r, "budget")), Currency: t.get(r, "currency")}
		in.StartDate, _ = time.Parse(time.DateOnly, t.get(r, "start_date"))
		in.EndDate, _ = time.Parse(time.DateOnly, t.get(r, "end_date"))
		in.LeadOrgID = im.org(t, res, i, "lead", t.get(r, "lead"))
		if s := t.get(r, "supporting"); s != "" {
			for _, acr := range strings.Split(s, ", ") {
				if id := im.org(t, res, i, "supporting", acr); id != 0 {
					in.SupporterIDs = append(in.SupporterIDs, id)
				}
			}
		}
		if res.Status == Invalid {
			return nil
		}
		var err error
		if res.Status == Create {
			parent := parentCode(in.Code)
			o, ferr := planedit.FindCoded[domain.Objective](im.ctx, im.tx, im.plan.ID, parent)
			if errors.Is(ferr, domain.ErrNotFound) {
				t.fail(res, i, "code", "planxlsx.err.no_parent", parent)
				return nil
			} else if ferr != nil {
				return ferr
			}
			_, err = planedit.CreateActivity(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, o, in)
		} else if in.Version, err = im.version("activities", in.Code); err == nil {
			err = planedit.UpdateActivity(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, im.plan, in.Code, in)
		}
		return t.check(res, i, err, "code")
	})
}

// tierKinds names the kind of each tier's sheet, for archiving.
var tierKinds = []struct{ sheet, kind string }{
	{SheetPillars, "pillar"}, {SheetObjectives, "objective"}, {SheetActivities, "activity"}, {SheetIndicators, "indicator"},
}

// applyArchiving archives or restores the items whose archived cell
// differs from what is stored (planedit.ArchiveEntity, as the editing
// page's buttons, with its audit row), once every row is saved, so that
// an item created archived is created first.
func (im *importer) applyArchiving() error {
	for _, tk := range tierKinds {
		err := im.each(tk.sheet, func(t *Table, i int, r Row, res *RowResult) error {
			want := t.get(r, ColArchived) == "yes"
			var row struct {
				ID         int64
				Version    int
				ArchivedAt *time.Time
			}
			err := im.tx.Table(domain.EntityTables[tk.kind]).Select("id, version, archived_at").
				Where("plan_id = ? AND code = ?", im.plan.ID, t.get(r, "code")).Take(&row).Error
			if err != nil || (row.ArchivedAt != nil) == want {
				return err
			}
			ref := domain.EntityRef{Kind: tk.kind, ID: row.ID, PlanID: &im.plan.ID, Version: row.Version}
			return t.check(res, i, planedit.ArchiveEntity(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, ref, want), ColArchived)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
