package planedit

import (
	"context"
	"strings"

	"naptracker/domain"

	"gorm.io/gorm"
)

// NodeInput is what every tier form submits: the dotted code (fixed once
// created), title, description and position among its siblings (0 puts
// a new item last), and the version the form was made from.
type NodeInput struct {
	Code, Title, Description string
	// Titles holds the title's translations by language (optional).
	Titles   domain.Texts
	Position int
	Version  int
}

// trimmed trims the input and keeps the translations a plan written in
// planLang can have.
func (in NodeInput) trimmed(planLang string) NodeInput {
	in.Code, in.Title, in.Description = strings.TrimSpace(in.Code), strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	in.Titles = cleanTexts(in.Titles, planLang)
	return in
}

// nodeFacts is what the audit log records of a tier item.
func nodeFacts(code, title string, titles domain.Texts, description string, position int) map[string]any {
	return map[string]any{"code": code, "title": title, "title_i18n": cleanTexts(titles, ""), "description": description, "position": position}
}

// letterCodes are the kinds whose codes end in letters (indicators: 2.1.a)
// rather than numbers.
var letterCodes = map[string]bool{"indicator": true}

// SuggestCode proposes the code of a new item of a kind (pillar, objective,
// activity, indicator) under the parent with the given code ("" for a
// pillar): the third objective of pillar 2 is offered "2.3".
func SuggestCode(ctx context.Context, db *gorm.DB, planID int64, kind, parent string) (string, error) {
	return nextCode(db.WithContext(ctx), domain.EntityTables[kind], planID, parent, letterCodes[kind])
}

// checkNode checks the fields every tier shares; creating also checks that
// the code fits under the parent and is not taken in the plan.
func checkNode(tx *gorm.DB, v *domain.ValidationError, kind string, planID int64, parent string, in NodeInput, creating bool, titleMax int) error {
	table := domain.EntityTables[kind]
	if creating {
		suggestion, err := nextCode(tx, table, planID, parent, letterCodes[kind])
		if err != nil {
			return err
		}
		checkChildCode(v, in.Code, parent, suggestion)
		if _, bad := v.Fields["code"]; !bad {
			var n int64
			if err := tx.Table(table).Where("plan_id = ? AND code = ?", planID, in.Code).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				v.AddKey("code", "err.code_used", in.Code, suggestion)
			}
		}
	}
	checkText(v, "title", in.Title, true, titleMax)
	checkTexts(v, "title", in.Titles, titleMax)
	checkText(v, "description", in.Description, false, 5000)
	if in.Position < 0 || in.Position > 9999 {
		v.AddKey("position", "err.position")
	}
	return nil
}

// FindByID loads a pillar, objective, activity or indicator (T) by id.
func FindByID[T domain.Pillar | domain.Objective | domain.Activity | domain.Indicator](ctx context.Context, db *gorm.DB, id int64) (*T, error) {
	var x T
	if err := db.WithContext(ctx).Take(&x, id).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	return &x, nil
}

// IndicatorsUnder lists the indicators of an objective (outcome) or an
// activity (output), archived ones included, in display order.
func IndicatorsUnder(ctx context.Context, db *gorm.DB, parent IndicatorParent) ([]domain.Indicator, error) {
	q := db.WithContext(ctx)
	if parent.Activity != nil {
		q = q.Where("activity_id = ?", parent.Activity.ID)
	} else {
		q = q.Where("objective_id = ?", parent.Objective.ID)
	}
	var out []domain.Indicator
	err := q.Order("position, code").Find(&out).Error
	return out, err
}

// codeTaken is the message for a code taken by a concurrent editor.
const codeTaken = "err.code_taken"

// findCoded loads the item of a plan with the given code into dest.
func findCoded(tx *gorm.DB, dest any, planID int64, code string) error {
	return domain.NotFound(tx.Where("plan_id = ? AND code = ?", planID, code).Take(dest).Error)
}

// FindCoded loads the pillar, objective, activity or indicator (T) of a
// plan with the given code, archived or not; ErrNotFound when there is none.
func FindCoded[T domain.Pillar | domain.Objective | domain.Activity | domain.Indicator](ctx context.Context, db *gorm.DB, planID int64, code string) (*T, error) {
	var x T
	if err := findCoded(db.WithContext(ctx), &x, planID, code); err != nil {
		return nil, err
	}
	return &x, nil
}

// ValidateNodeInput checks a pillar or objective form without saving it.
func ValidateNodeInput(ctx context.Context, db *gorm.DB, kind string, planID int64, parent string, in NodeInput, creating bool) error {
	v := &domain.ValidationError{}
	if err := checkNode(db.WithContext(ctx), v, kind, planID, parent, in.trimmed(""), creating, 500); err != nil {
		return err
	}
	return v.Err()
}

// CreatePillar adds a pillar to a plan, with its audit row.
func CreatePillar(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, in NodeInput) (*domain.Pillar, error) {
	in = in.trimmed(plan.Language)
	p := &domain.Pillar{PlanID: plan.ID, Code: in.Code, Title: in.Title, TitleI18n: in.Titles, Description: in.Description, Position: in.Position, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if err := checkNode(tx, v, "pillar", plan.ID, "", in, true, 500); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := defaultPosition(tx, &p.Position, "pillars", "plan_id = ?", plan.ID); err != nil {
			return err
		}
		if err := tx.Create(p).Error; err != nil {
			return duplicate(err, "code", codeTaken)
		}
		return domain.Audit(tx, who.Actor, "pillar.create", "pillar", &p.ID, &plan.ID, nil, nodeFacts(p.Code, p.Title, p.TitleI18n, p.Description, p.Position), "")
	})
	return p, err
}

// CreateObjective adds an objective under a pillar, with its audit row.
func CreateObjective(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, pillar *domain.Pillar, in NodeInput) (*domain.Objective, error) {
	in = in.trimmed(plan.Language)
	o := &domain.Objective{PlanID: plan.ID, PillarID: pillar.ID, Code: in.Code, Title: in.Title, TitleI18n: in.Titles, Description: in.Description, Position: in.Position, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if err := checkNode(tx, v, "objective", plan.ID, pillar.Code, in, true, 500); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := defaultPosition(tx, &o.Position, "objectives", "pillar_id = ?", pillar.ID); err != nil {
			return err
		}
		if err := tx.Create(o).Error; err != nil {
			return duplicate(err, "code", codeTaken)
		}
		return domain.Audit(tx, who.Actor, "objective.create", "objective", &o.ID, &plan.ID, nil, nodeFacts(o.Code, o.Title, o.TitleI18n, o.Description, o.Position), "")
	})
	return o, err
}

// defaultPosition puts a new item last among its siblings when no position was given.
func defaultPosition(tx *gorm.DB, pos *int, table, where string, args ...any) error {
	if *pos != 0 {
		return nil
	}
	n, err := nextPosition(tx, table, where, args...)
	*pos = n
	return err
}

// UpdateNode saves the title, description and position of a pillar or
// objective (kind), from the version the form was made from.
func UpdateNode(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, kind, code string, in NodeInput) error {
	in = in.trimmed(plan.Language)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			ID          int64
			Code        string
			Title       string
			TitleI18n   domain.Texts
			Description string
			Position    int
			Version     int
		}
		if err := tx.Table(domain.EntityTables[kind]).Where("plan_id = ? AND code = ?", plan.ID, code).Take(&row).Error; err != nil {
			return domain.NotFound(err)
		}
		if in.Version != row.Version {
			return staleRow(tx, kind, row.ID, row.Version)
		}
		v := &domain.ValidationError{}
		if err := checkNode(tx, v, kind, plan.ID, "", in, false, 500); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		changes := map[string]any{"title": in.Title, "title_i18n": in.Titles, "description": in.Description, "position": in.Position}
		if err := bumpRow(tx, kind, domain.EntityTables[kind], row.ID, row.Version, changes, who.Now); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, kind+".update", kind, &row.ID, &plan.ID,
			nodeFacts(row.Code, row.Title, row.TitleI18n, row.Description, row.Position), nodeFacts(row.Code, in.Title, in.Titles, in.Description, in.Position), "")
	})
}
