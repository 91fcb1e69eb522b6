package planedit

import (
	"context"
	"fmt"
	"maps"

	"naptracker/domain"
	"naptracker/i18n"

	"gorm.io/gorm"
)

// Breakdown categories ("Female", "Under 18") belong to disaggregation sets
// shared by every plan; their labels are translated on one form, from the
// plan being edited, like the plan's own content. A category has no version
// of its own, so the form sends back the translations it was based on: a
// category whose stored translations differ from them was changed by someone
// else meanwhile, and nothing is saved (ErrStale with the categories).

// DisaggregationSets lists every disaggregation set with its dimensions and
// categories, in order (three queries).
func DisaggregationSets(ctx context.Context, db *gorm.DB) ([]domain.DisaggregationSet, error) {
	var sets []domain.DisaggregationSet
	err := db.WithContext(ctx).Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Order("id").Find(&sets).Error
	return sets, err
}

// CategoryTexts is the form's edit of one category's translations: those
// it was based on (Was) and the new ones.
type CategoryTexts struct {
	ID       int64
	Was, New domain.Texts
}

// CategoryConflict names the categories changed meanwhile (by id).
type CategoryConflict struct {
	IDs map[int64]bool
}

func (e *CategoryConflict) Error() string { return domain.ErrStale.Error() }

// Is makes errors.Is(err, ErrStale) true.
func (e *CategoryConflict) Is(target error) bool { return target == domain.ErrStale }

// SaveCategoryTexts stores the translations of breakdown categories in one
// transaction, for the secretariat and administrators (ErrForbidden), keeping
// the translations into the interface languages but planLang: a
// translation over 200 characters is refused (*ValidationError, field
// "label_<id>_<lang>"), and a category changed since the form was read
// refuses the whole edit (*CategoryConflict). Each changed category gets an
// audit row.
func SaveCategoryTexts(ctx context.Context, db *gorm.DB, who domain.Caller, planLang string, edits []CategoryTexts) error {
	if !who.Scope.Validates() {
		return domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	for i := range edits {
		edits[i].New, edits[i].Was = cleanTexts(edits[i].New, planLang), cleanTexts(edits[i].Was, planLang)
		checkTexts(v, fmt.Sprintf("label_%d", edits[i].ID), edits[i].New, 200)
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids := make([]int64, len(edits))
		for i, e := range edits {
			ids[i] = e.ID
		}
		var stored []domain.DisaggregationCategory
		if err := tx.Where("id IN ?", ids).Find(&stored).Error; err != nil {
			return err
		}
		byID := map[int64]domain.DisaggregationCategory{}
		for _, c := range stored {
			byID[c.ID] = c
		}
		conflict := &CategoryConflict{IDs: map[int64]bool{}}
		var changed []CategoryTexts
		for _, e := range edits {
			c, ok := byID[e.ID]
			if !ok {
				return domain.ErrNotFound
			}
			// Only the languages the form offered are compared and replaced;
			// a translation into the plan's language stays as it is.
			current := cleanTexts(c.LabelI18n, planLang)
			if !maps.Equal(current, e.Was) {
				conflict.IDs[e.ID] = true
			} else if !maps.Equal(current, e.New) {
				changed = append(changed, e)
			}
		}
		if len(conflict.IDs) > 0 {
			return conflict
		}
		for _, e := range changed {
			next := domain.Texts{}
			maps.Copy(next, byID[e.ID].LabelI18n)
			for _, lang := range i18n.Supported {
				if lang != planLang {
					delete(next, lang)
				}
			}
			maps.Copy(next, e.New)
			if err := tx.Model(&domain.DisaggregationCategory{}).Where("id = ?", e.ID).Update("label_i18n", next).Error; err != nil {
				return err
			}
			old := map[string]any{"label": byID[e.ID].Label, "label_i18n": cleanTexts(byID[e.ID].LabelI18n, "")}
			neu := map[string]any{"label": byID[e.ID].Label, "label_i18n": cleanTexts(next, "")}
			if err := domain.Audit(tx, who.Actor, "disaggregation.translate", "disaggregation_category", &e.ID, nil, old, neu, ""); err != nil {
				return err
			}
		}
		return nil
	})
}
