package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// categoriesPage is the form translating the breakdown categories' labels
// into the interface languages other than the plan's.
type categoriesPage struct {
	Page
	Plan  *domain.Plan
	Sets  []domain.DisaggregationSet
	Langs []string
	// Typed and Was are the form's fields (labelField, wasField) as
	// shown: what is typed, and the translations it is based on.
	Typed, Was map[string]string
	Errors     map[string]string
	// Conflicts are the categories changed by someone else meanwhile.
	Conflicts map[int64]bool
}

func labelField(id int64, lang string) string { return fmt.Sprintf("label_%d_%s", id, lang) }
func wasField(id int64, lang string) string   { return fmt.Sprintf("was_%d_%s", id, lang) }

// Field is the typed translation of a category.
func (p categoriesPage) Field(id int64, lang string) string { return p.Typed[labelField(id, lang)] }

// Based is the translation the form is based on.
func (p categoriesPage) Based(id int64, lang string) string { return p.Was[wasField(id, lang)] }

// Error is the message beside a translation, if any.
func (p categoriesPage) Error(id int64, lang string) string { return p.Errors[labelField(id, lang)] }

func (h *Handler) categoriesPage(c echo.Context) (categoriesPage, error) {
	plan, err := h.editPlan(c)
	if err != nil {
		return categoriesPage{}, err
	}
	sets, err := planedit.DisaggregationSets(c.Request().Context(), h.DB)
	if err != nil {
		return categoriesPage{}, err
	}
	p := categoriesPage{Page: h.page(c), Plan: plan, Sets: sets, Langs: editBase{Plan: plan}.TranslationLanguages(),
		Typed: map[string]string{}, Was: map[string]string{}}
	p.fill(p.Typed, labelField)
	p.fill(p.Was, wasField)
	return p, nil
}

// fill sets the fields of every category from the stored translations.
func (p categoriesPage) fill(m map[string]string, field func(int64, string) string) {
	for _, s := range p.Sets {
		for _, d := range s.Dimensions {
			for _, cat := range d.Categories {
				for _, lang := range p.Langs {
					m[field(cat.ID, lang)] = cat.LabelI18n[lang]
				}
			}
		}
	}
}

// EditCategories shows the translations of the breakdown categories.
func (h *Handler) EditCategories(c echo.Context) error {
	p, err := h.categoriesPage(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "edit_categories", p)
}

// SaveCategories saves the translations of the breakdown categories: 422
// with the messages beside the fields, or 409 when a category was changed
// meanwhile (nothing is saved; the form shows what is stored now beside
// what was typed, and is then based on it).
func (h *Handler) SaveCategories(c echo.Context) error {
	p, err := h.categoriesPage(c)
	if err != nil {
		return err
	}
	var edits []planedit.CategoryTexts
	for _, s := range p.Sets {
		for _, d := range s.Dimensions {
			for _, cat := range d.Categories {
				e := planedit.CategoryTexts{ID: cat.ID, Was: domain.Texts{}, New: domain.Texts{}}
				for _, lang := range p.Langs {
					e.New[lang] = strings.TrimSpace(c.FormValue(labelField(cat.ID, lang)))
					e.Was[lang] = c.FormValue(wasField(cat.ID, lang))
					p.Typed[labelField(cat.ID, lang)] = e.New[lang]
				}
				edits = append(edits, e)
			}
		}
	}
	err = planedit.SaveCategoryTexts(c.Request().Context(), h.DB, h.caller(c), p.Plan.Language, edits)
	var ve *domain.ValidationError
	var ce *planedit.CategoryConflict
	switch {
	case errors.As(err, &ve):
		p.Errors = h.fieldErrors(c, ve)
		for _, e := range edits { // keep the form based on what it was
			for _, lang := range p.Langs {
				p.Was[wasField(e.ID, lang)] = e.Was[lang]
			}
		}
		return c.Render(http.StatusUnprocessableEntity, "edit_categories", p)
	case errors.As(err, &ce):
		p.Conflicts = ce.IDs
		return c.Render(http.StatusConflict, "edit_categories", p)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?flash=flash.categories_saved")
}
